// The on-call console: reads the admin API (GET only) and draws what it says. No framework, no
// dependency, nothing fetched from anywhere but this gateway. Views are chosen by the URL's hash:
//   #/models, #/models/{model}, #/rollouts, #/drift, #/drift/{model}?version=V&feature=F
'use strict';

(() => {
  const TOKEN_KEY = 'serving.console.adminToken';
  const HISTORY_WINDOWS = 60;
  const REFRESH_MS = 15000;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const main = document.getElementById('main');
  let runbookBase = 'runbooks';
  let generation = 0;

  // ---- DOM helpers: every text goes through textContent, never through HTML parsing ----------------

  function h(tag, attrs, ...children) {
    return fill(document.createElement(tag), attrs, children);
  }

  function s(tag, attrs, ...children) {
    return fill(document.createElementNS(SVG_NS, tag), attrs, children);
  }

  function fill(element, attrs, children) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined && value !== false) element.setAttribute(name, String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined && child !== false) element.append(child instanceof Node ? child : String(child));
    }
    return element;
  }

  function badge(text, kind) {
    return h('span', { class: `badge ${kind || text}` }, text);
  }

  function table(headings, rows, rowClass) {
    return h('table', {},
      h('thead', {}, h('tr', {}, headings.map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.map((cells, i) => h('tr', { class: rowClass ? rowClass(i) : null },
        cells.map((c) => (c instanceof Node && c.tagName === 'TD' ? c : h('td', {}, c)))))));
  }

  function num(value, digits = 3) {
    return h('td', { class: 'num' }, formatNumber(value, digits));
  }

  // ---- formatting ----------------------------------------------------------------------------------

  function toNumber(value) {
    return typeof value === 'string' ? Number(value) : value; // the API writes NaN as "NaN"
  }

  function formatNumber(value, digits = 3) {
    const x = toNumber(value);
    if (x === null || x === undefined || Number.isNaN(x)) return '—';
    if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
    if (x !== 0 && Math.abs(x) < 0.001) return x.toExponential(1);
    if (Number.isInteger(x)) return String(x);
    return x.toFixed(digits);
  }

  function formatPercent(value) {
    const x = toNumber(value);
    return Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '—';
  }

  function parseTime(iso) {
    const d = iso ? new Date(iso) : null;
    return d && d.getUTCFullYear() > 2000 ? d : null; // default(DateTimeOffset) means "never"
  }

  function formatTime(iso) {
    const d = parseTime(iso);
    return d ? `${d.toISOString().slice(0, 19).replace('T', ' ')}Z` : '—';
  }

  function ago(iso) {
    const d = parseTime(iso);
    if (!d) return '';
    const seconds = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
    if (seconds < 120) return `${seconds} s ago`;
    if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 172800) return `${Math.round(seconds / 3600)} h ago`;
    return `${Math.round(seconds / 86400)} days ago`;
  }

  function enc(text) {
    return encodeURIComponent(text);
  }

  // ---- the admin API -------------------------------------------------------------------------------

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path) {
    const headers = { accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`../admin/${path}`, { headers, cache: 'no-store' });
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!response.ok) throw new HttpError(response.status, (body && body.error) || text || response.statusText);
    return body;
  }

  function failure(error) {
    if (error instanceof HttpError && error.status === 401) {
      return h('p', { class: 'error' }, 'The admin API needs a token: enter it above (it is kept in this tab only).');
    }
    if (error instanceof HttpError && error.status === 403) {
      return h('p', { class: 'error' }, `The admin API refused: ${error.message}.`);
    }
    return h('p', { class: 'error' }, `Could not load: ${error.message}`);
  }

  // ---- models, versions, stages, audit -------------------------------------------------------------

  async function modelsView(route) {
    if (route.model) return modelView(route.model);
    const { models } = await api('models');
    return [
      h('h2', {}, 'Models'),
      table(['Model', 'Production', 'Versions', 'Revision', ''], models.map((m) => [
        h('a', { href: `#/models/${enc(m.name)}` }, m.name),
        m.productionVersion !== undefined && m.productionVersion !== null ? `v${m.productionVersion}` : badge('none', 'critical'),
        m.versions.map((v) => [badge(`v${v.version} ${v.stage}`, v.stage), ' ']),
        m.revision,
        h('a', { href: `#/drift/${enc(m.name)}` }, 'drift'),
      ])),
    ];
  }

  async function modelView(name) {
    const [model, audit] = await Promise.all([api(`models/${enc(name)}`), api(`models/${enc(name)}/audit`)]);
    const metrics = (v) => Object.entries(v.metrics || {}).map(([k, x]) => `${k} ${formatNumber(x)}`).join(', ');
    return [
      h('h2', {}, `Model ${model.name} `, h('a', { href: `#/drift/${enc(model.name)}` }, '(drift)')),
      h('section', { class: 'card' },
        h('h3', {}, 'Versions'),
        table(['Version', 'Stage', 'Aliases', 'Created', 'Stage changed', 'Offline metrics', 'Description'],
          model.versions.map((v) => [
            `v${v.version}`, badge(v.stage), (v.aliases || []).join(', '), formatTime(v.created),
            formatTime(v.stageChanged), metrics(v), v.description || '',
          ]))),
      h('section', { class: 'card' },
        h('h3', {}, 'Audit timeline (newest first)'),
        h('ol', { class: 'timeline' }, audit.entries.slice().reverse().map(auditEntry))),
    ];
  }

  function auditEntry(e) {
    const what = [e.action];
    if (e.version !== undefined && e.version !== null) what.push(`v${e.version}`);
    if (e.alias) what.push(`alias ${e.alias}`);
    if (e.before || e.after) what.push(e.before ? `${e.before} → ${e.after || '—'}` : `→ ${e.after}`);
    return h('li', {},
      h('time', { datetime: e.timestamp }, formatTime(e.timestamp)),
      h('strong', {}, e.actor), ' ', what.join(' '),
      e.forced ? [' ', badge('forced', 'critical'), ` ${e.forceReason || ''}`] : null,
      e.reason ? h('div', { class: 'muted' }, e.reason) : null);
  }

  // ---- rollouts --------------------------------------------------------------------------------------

  async function rolloutsView() {
    const { rollouts } = await api('rollouts');
    if (rollouts.length === 0) return [h('h2', {}, 'Rollouts'), h('p', { class: 'muted' }, 'No rollout policy is set.')];
    const details = await Promise.all(rollouts.map((p) => api(`rollouts/${enc(p.model)}`)));
    return [h('h2', {}, 'Rollouts'), details.map(rolloutCard)];
  }

  function rolloutCard({ policy, status }) {
    const progress = policy.progress;
    const steps = policy.plan && policy.plan.steps ? policy.plan.steps.length : 0;
    return h('section', { class: 'card' },
      h('h3', {}, `${policy.model} `, badge(policy.mode, 'mode'), progress ? [' ', badge(progress.status)] : null),
      weights(policy),
      progress && steps ? h('p', {}, `Plan step ${progress.step_index + 1} of ${steps}`, progress.reason ? ` · ${progress.reason}` : '') : null,
      h('p', { class: 'muted' }, `Policy revision ${policy.revision}, set ${formatTime(policy.updated_at)} by ${policy.updated_by || '?'}`,
        policy.reason ? `: ${policy.reason}` : ''),
      status && status.variants && status.variants.length
        ? [h('h3', {}, 'Live, per variant ', h('span', { class: 'muted' }, status.window_started_at
          ? `(window since ${formatTime(status.window_started_at)})` : `(observed ${formatTime(status.observed_at)})`)),
          table(['Variant', 'Version', 'Requests', 'Errors', 'Error rate', 'p99 latency'], status.variants.map((v) => [
            v.variant, `v${v.version}`, num(v.requests), num(v.errors),
            h('td', { class: 'num' }, formatPercent(v.error_rate)),
            h('td', { class: 'num' }, Number.isFinite(toNumber(v.latency_p99_seconds)) ? `${(toNumber(v.latency_p99_seconds) * 1000).toFixed(2)} ms` : '—'),
          ]))]
        : h('p', { class: 'muted' }, 'No live numbers yet.'),
      status && status.shadow ? shadowLine(status.shadow) : null,
      status && status.last_analysis ? analysis(status.last_analysis, status.last_analysis_at) : null);
  }

  function weights(policy) {
    if (policy.canary) {
      const c = policy.canary;
      const w = Math.min(100, Math.max(0, toNumber(c.weight)));
      const bar = h('div', { class: 'weights' },
        h('span', { class: 'stable' }, `stable v${c.stable_version} ${formatNumber(100 - w, 2)}%`),
        h('span', { class: 'canary' }, `canary v${c.canary_version} ${formatNumber(w, 2)}%`));
      bar.children[0].style.width = `${100 - w}%`;
      bar.children[1].style.width = `${w}%`;
      return [bar, policy.shadow ? shadowPolicy(policy.shadow) : null];
    }
    if (policy.blue_green) {
      const b = policy.blue_green;
      return h('p', {}, `Active v${b.active_version}; preview `,
        b.preview_version ? `v${b.preview_version} (header ${b.preview_header}: true)` : 'none');
    }
    return policy.shadow ? shadowPolicy(policy.shadow) : null;
  }

  function shadowPolicy(shadow) {
    return h('p', {}, `Shadow v${shadow.version} receives ${formatNumber(shadow.percentage, 2)}% of requests as copies.`);
  }

  function shadowLine(c) {
    return h('p', {}, `Shadow: ${c.requests} compared, agreement ${formatPercent(c.agreement_rate)}, `,
      `mean |Δ| ${formatNumber(c.mean_absolute_difference)}, ${c.decision_flips} decision flips, `,
      `${c.errors} errors, ${c.timeouts} timeouts, ${c.drops} dropped`);
  }

  function analysis(outcome, at) {
    return h('div', {},
      h('h3', {}, 'Last analysis ', badge(outcome.verdict), ` ${formatTime(at)}`),
      h('p', {}, outcome.reason),
      outcome.metrics && outcome.metrics.length
        ? table(Object.keys(outcome.metrics[0]), outcome.metrics.map((m) => Object.values(m).map((x) => (typeof x === 'number' ? num(x) : String(x)))))
        : null);
  }

  // ---- drift ---------------------------------------------------------------------------------------

  function alarming(column) {
    return column.alarm_state && column.alarm_state !== 'ok';
  }

  async function driftIndexView() {
    const { models } = await api('models');
    const drifts = await Promise.all(models.map((m) => api(`drift/${enc(m.name)}`)));
    return [
      h('h2', {}, 'Drift'),
      table(['Model', 'Versions monitored', 'Alarms'], drifts.map((d) => {
        const columns = d.versions.flatMap((v) => v.columns.map((c) => ({ ...c, version: v.version })));
        const alarms = columns.filter(alarming);
        return [
          h('a', { href: `#/drift/${enc(d.model)}` }, d.model),
          d.versions.filter((v) => v.monitored).map((v) => `v${v.version}`).join(', ') || 'none',
          alarms.length ? alarms.map((c) => [badge(`v${c.version} ${c.name} ${c.alarm_state}`, c.alarm_state), ' ']) : badge('ok'),
        ];
      })),
    ];
  }

  async function driftView(route) {
    if (!route.model) return driftIndexView();
    const drift = await api(`drift/${enc(route.model)}?history=${HISTORY_WINDOWS}`);
    const versions = drift.versions;
    if (versions.length === 0) return [h('h2', {}, `Drift · ${drift.model}`), h('p', { class: 'muted' }, 'No version of this model is loaded here.')];
    const wanted = route.params.get('version');
    const version = versions.find((v) => v.version === wanted)
      || versions.find((v) => v.columns.some((c) => c.alarm_state === 'firing'))
      || versions.find((v) => v.columns.some(alarming))
      || versions.find((v) => v.monitored) || versions[0];
    return [
      h('h2', {}, `Drift · ${drift.model}`),
      versions.map((v) => versionSummary(drift.model, v, v === version)),
      versionDetail(drift.model, version, route.params.get('feature')),
    ];
  }

  function versionSummary(model, v, selected) {
    const alarms = v.columns.filter(alarming)
      .sort((a, b) => (a.alarm_state === b.alarm_state ? 0 : a.alarm_state === 'firing' ? -1 : 1));
    const link = (feature) => `#/drift/${enc(model)}?version=${enc(v.version)}&feature=${enc(feature)}`;
    return h('section', { class: 'card', 'data-version': v.version },
      h('h3', {}, selected ? `v${v.version}` : h('a', { href: `#/drift/${enc(model)}?version=${enc(v.version)}` }, `v${v.version}`), ' ',
        versionBadge(v, alarms)),
      v.window
        ? h('p', { class: 'muted' }, `Last window ${formatTime(v.window.start)} – ${formatTime(v.window.end)}, ${v.window.rows} rows; `,
          `${v.current_window_rows} rows in the open window.`)
        : h('p', { class: v.monitored ? 'muted' : 'error' }, v.monitored
          ? `No window closed yet (${v.current_window_rows} rows in the open one).`
          : `Drift is not monitored for this version: ${v.reason || 'no usable reference profile'}.`),
      alarms.length
        ? h('ul', { class: 'alarms' }, alarms.map((c) => h('li', { 'data-feature': c.name, 'data-alarm': c.alarm_state },
          h('a', { href: link(c.name) }, h('strong', {}, c.name)), ' ', badge(c.alarm_state), ' ', badge(c.alarm_severity),
          ` since ${formatTime(c.alarm_since)} (${ago(c.alarm_since)}) · PSI ${formatNumber(c.psi)} · KS D ${formatNumber(c.ks_statistic)}`,
          ` · adjusted p ${formatNumber(c.ks_pvalue_adjusted)}`,
          Array.isArray(c.alarm_windows) && c.alarm_windows.length ? ` · ${c.alarm_windows.length} drifting windows behind it` : '',
          ' · ', runbookLink(c))))
        : null);
  }

  function versionBadge(v, alarms) {
    if (!v.monitored) return badge(v.status || 'not monitored', 'warning');
    if (alarms.length) return badge(`${alarms.length} alarm${alarms.length > 1 ? 's' : ''}`, alarms[0].alarm_state);
    return v.window ? badge('ok') : badge('no data yet', 'muted');
  }

  function runbookLink(column) {
    const section = column.alarm_severity === 'critical' || column.severity === 'critical' ? 'modeldriftcritical' : 'modeldriftwarning';
    return h('a', { href: `${runbookBase.replace(/\/+$/, '')}/drift.md#${section}`, target: '_blank', rel: 'noopener', class: 'runbook' }, 'runbook');
  }

  function versionDetail(model, v, wantedFeature) {
    if (v.columns.length === 0) return null;
    const column = v.columns.find((c) => c.name === wantedFeature)
      || v.columns.find((c) => c.alarm_state === 'firing' && c.kind === 'feature')
      || v.columns.find((c) => c.alarm_state === 'firing')
      || v.columns.find(alarming)
      || v.columns[0];
    const link = (feature) => `#/drift/${enc(model)}?version=${enc(v.version)}&feature=${enc(feature)}`;
    const history = Array.isArray(v.history) ? v.history : null;
    return h('section', { class: 'card', id: 'feature-detail', 'data-feature': column.name },
      h('h3', {}, `v${v.version} · ${column.name} `, badge(column.alarm_state), ' ', runbookLink(column)),
      h('div', { class: 'charts' }, timeSeries(column.name, v, history), histogram(column, history)),
      history ? null : h('p', { class: 'muted' }, 'This gateway keeps no window history: the chart shows the last window only.'),
      h('h3', {}, 'Every feature and output, last window'),
      featureTable(v, column, link));
  }

  // Missing-value rates appear when the gateway reports them (live vs reference share of NaN/empty cells).
  function featureTable(v, selected, link) {
    const missing = v.columns.some((c) => c.missing_rate !== undefined);
    return table(
      ['Feature', 'Kind', 'PSI', 'KS D', 'KS p', 'adjusted p', missing ? 'Missing (reference)' : null, 'Verdict', 'Alarm', 'Since'].filter(Boolean),
      v.columns.map((c) => [
        h('a', { href: link(c.name) }, c.name), c.kind, num(c.psi), num(c.ks_statistic), num(c.ks_pvalue), num(c.ks_pvalue_adjusted),
        missing ? h('td', { class: 'num' }, `${formatPercent(c.missing_rate)} (${formatPercent(c.reference_missing_rate)})`) : null,
        c.verdict, badge(c.alarm_state), alarming(c) ? formatTime(c.alarm_since) : '',
      ].filter((cell) => cell !== null)),
      (i) => (v.columns[i] === selected ? 'selected' : null));
  }

  // ---- charts (hand-written SVG) ---------------------------------------------------------------------

  const CHART = { width: 560, height: 280, left: 48, right: 16, top: 30, bottom: 64 };

  function niceCeiling(x) {
    if (!(x > 0)) return 1;
    const magnitude = 10 ** Math.floor(Math.log10(x));
    for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= x) return step * magnitude;
    return 10 * magnitude;
  }

  function frame(title, ymax, yFormat) {
    const { width, height, left, right, top, bottom } = CHART;
    const svg = s('svg', { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
    svg.append(s('text', { x: left, y: 16, class: 'title' }, title));
    const innerHeight = height - top - bottom;
    for (let i = 0; i <= 4; i++) {
      const y = top + innerHeight - (i / 4) * innerHeight;
      svg.append(s('line', { x1: left, x2: width - right, y1: y, y2: y, class: 'grid' }),
        s('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, yFormat((ymax * i) / 4)));
    }
    svg.append(s('line', { x1: left, x2: left, y1: top, y2: top + innerHeight, class: 'axis' }),
      s('line', { x1: left, x2: width - right, y1: top + innerHeight, y2: top + innerHeight, class: 'axis' }));
    return svg;
  }

  function legend(svg, entries) {
    let x = CHART.width - CHART.right;
    for (const [label, kind] of entries.slice().reverse()) {
      x -= label.length * 6.5 + 18;
      svg.append(s('rect', { x, y: 8, width: 10, height: 10, class: `legend-${kind}` }), s('text', { x: x + 14, y: 17 }, label));
    }
  }

  // PSI and KS D of one feature, window after window (the history when the API sends one).
  function timeSeries(feature, v, history) {
    const windows = history && history.length ? history : (v.window ? [{ end: v.window.end, columns: v.columns }] : []);
    const points = [];
    for (const w of windows) {
      const c = (w.columns || []).find((x) => x.name === feature);
      const t = parseTime(w.end);
      if (c && t) points.push({ t, psi: toNumber(c.psi), ks: toNumber(c.ks_statistic) });
    }
    const thresholds = v.thresholds || { psi_warning: 0.1, psi_critical: 0.25 };
    const values = points.flatMap((p) => [p.psi, p.ks]).filter(Number.isFinite);
    const ymax = niceCeiling(Math.max(thresholds.psi_critical * 1.2, ...values));
    const svg = frame(`${feature}: PSI and KS D per window`, ymax, (x) => formatNumber(x, 2));
    svg.setAttribute('data-chart', 'time-series');
    svg.setAttribute('data-points', String(points.length));
    const { width, height, left, right, top, bottom } = CHART;
    const innerWidth = width - left - right;
    const innerHeight = height - top - bottom;
    const y = (value) => top + innerHeight - (Math.min(value, ymax) / ymax) * innerHeight;
    // Labels at opposite ends, so they stay readable when the lines nearly meet.
    for (const [value, kind, anchor] of [[thresholds.psi_warning, 'warning', 'start'], [thresholds.psi_critical, 'critical', 'end']]) {
      svg.append(s('line', { x1: left, x2: width - right, y1: y(value), y2: y(value), class: `threshold ${kind}` }),
        s('text', { x: anchor === 'start' ? left + 4 : width - right - 2, y: y(value) - 3, 'text-anchor': anchor }, `PSI ${kind} ${value}`));
    }
    if (points.length === 0) {
      svg.append(s('text', { x: left + innerWidth / 2, y: top + innerHeight / 2, 'text-anchor': 'middle' }, 'no closed window yet'));
      return svg;
    }
    const t0 = points[0].t.getTime();
    const span = points[points.length - 1].t.getTime() - t0;
    const x = (t) => (span > 0 ? left + ((t.getTime() - t0) / span) * innerWidth : left + innerWidth / 2);
    for (const kind of ['psi', 'ks']) {
      const finite = points.filter((p) => Number.isFinite(p[kind]));
      svg.append(s('polyline', { class: kind, points: finite.map((p) => `${x(p.t).toFixed(1)},${y(p[kind]).toFixed(1)}`).join(' ') }));
      for (const p of finite) svg.append(s('circle', { class: kind, cx: x(p.t).toFixed(1), cy: y(p[kind]).toFixed(1), r: 2.5 }));
    }
    const clock = (t) => t.toISOString().slice(11, 19);
    svg.append(s('text', { x: left, y: top + innerHeight + 16 }, clock(points[0].t)),
      s('text', { x: width - right, y: top + innerHeight + 16, 'text-anchor': 'end' }, clock(points[points.length - 1].t)),
      s('text', { x: left + innerWidth / 2, y: top + innerHeight + 16, 'text-anchor': 'middle' }, `${points.length} window${points.length > 1 ? 's' : ''} (UTC)`));
    legend(svg, [['PSI', 'psi'], ['KS D', 'ks']]);
    return svg;
  }

  // Reference vs live proportions per bin (bins frozen at the reference's quantiles).
  function histogram(column, history) {
    let source = column;
    if (!(column.live_proportions && column.live_proportions.length) && history) {
      for (let i = history.length - 1; i >= 0 && source === column; i--) {
        const c = (history[i].columns || []).find((x) => x.name === column.name && x.live_proportions && x.live_proportions.length);
        if (c) source = c;
      }
    }
    const reference = (source.reference_proportions || []).map(toNumber);
    const live = (source.live_proportions || []).map(toNumber);
    const edges = (source.bin_edges || []).map(toNumber);
    const bins = Math.max(reference.length, live.length);
    const ymax = niceCeiling(Math.max(0.01, ...reference.filter(Number.isFinite), ...live.filter(Number.isFinite)));
    const svg = frame(`${column.name}: reference vs live, per bin`, ymax, (x) => `${Math.round(x * 100)}%`);
    svg.setAttribute('data-chart', 'histogram');
    svg.setAttribute('data-feature', column.name);
    svg.setAttribute('data-bins', String(bins));
    const { width, height, left, right, top, bottom } = CHART;
    const innerWidth = width - left - right;
    const innerHeight = height - top - bottom;
    if (bins === 0) {
      svg.append(s('text', { x: left + innerWidth / 2, y: top + innerHeight / 2, 'text-anchor': 'middle' }, 'no histogram yet'));
      return svg;
    }
    const slot = innerWidth / bins;
    const bar = slot * 0.4;
    const barHeight = (p) => (Number.isFinite(p) ? (Math.min(p, ymax) / ymax) * innerHeight : 0);
    for (let i = 0; i < bins; i++) {
      const x0 = left + i * slot + slot * 0.1;
      svg.append(
        s('rect', { class: 'ref', x: x0.toFixed(1), y: (top + innerHeight - barHeight(reference[i])).toFixed(1), width: bar.toFixed(1), height: barHeight(reference[i]).toFixed(1) },
          s('title', {}, `bin ${i + 1}: reference ${formatPercent(reference[i])}`)),
        s('rect', { class: 'live', x: (x0 + bar).toFixed(1), y: (top + innerHeight - barHeight(live[i])).toFixed(1), width: bar.toFixed(1), height: barHeight(live[i]).toFixed(1) },
          s('title', {}, `bin ${i + 1}: live ${formatPercent(live[i])}`)));
    }
    // Interior edges sit between bins: the first bin is (-∞, e0], the last (e_last, +∞).
    edges.forEach((edge, i) => {
      const x = left + (i + 1) * slot;
      const y0 = top + innerHeight;
      svg.append(s('text', { x, y: y0 + 12, 'text-anchor': 'end', transform: `rotate(-40 ${x} ${y0 + 12})` }, formatEdge(edge)));
    });
    legend(svg, [['reference', 'ref'], ['live', 'live']]);
    return svg;
  }

  function formatEdge(x) {
    if (!Number.isFinite(x)) return String(x);
    return Math.abs(x) >= 1000 ? Math.round(x).toString() : Number(x.toPrecision(3)).toString();
  }

  // ---- navigation ----------------------------------------------------------------------------------

  const views = { models: modelsView, rollouts: rolloutsView, drift: driftView };

  function currentRoute() {
    const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    return { view: parts[0] || 'models', model: parts[1] || null, params: new URLSearchParams(query || '') };
  }

  async function render() {
    const mine = ++generation;
    const route = currentRoute();
    for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === route.view);
    let content;
    try {
      const view = views[route.view];
      content = view ? await view(route) : h('p', { class: 'error' }, `No such page: ${route.view}`);
    } catch (error) {
      content = failure(error);
    }
    if (mine !== generation) return; // a later navigation or refresh has drawn already
    main.replaceChildren(...[content].flat(Infinity).filter(Boolean));
    document.getElementById('refreshed').textContent = `Updated ${new Date().toISOString().slice(11, 19)} UTC, every ${REFRESH_MS / 1000} s`;
    document.body.dataset.rendered = route.view; // headless tests wait for this
  }

  async function start() {
    const form = document.getElementById('token-form');
    const input = document.getElementById('token');
    input.value = sessionStorage.getItem(TOKEN_KEY) || '';
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (input.value) sessionStorage.setItem(TOKEN_KEY, input.value); else sessionStorage.removeItem(TOKEN_KEY);
      render();
    });
    document.getElementById('token-forget').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      input.value = '';
      render();
    });
    try {
      const response = await fetch('config.json', { cache: 'no-store' });
      if (response.ok) runbookBase = (await response.json()).runbook_base_url || runbookBase;
    } catch {
      // The default base (the runbooks this gateway serves) still works.
    }
    window.addEventListener('hashchange', render);
    setInterval(() => { if (!document.hidden) render(); }, REFRESH_MS);
    if (!location.hash) history.replaceState(null, '', '#/models');
    await render();
  }

  start();
})();
