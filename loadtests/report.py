#!/usr/bin/env python3
"""Turns a run.sh output directory (raw.tsv, overload metrics) into the markdown table and target checks.

raw.tsv lines: scenario, connections, server, repeat, then the key=value fields of wrk's WRK_RESULT line
(see wrk/common.lua). Every column of the table is the median over repeats of that one quantity; the
ratios are ratios of medians. Errors are summed over repeats.
"""
import argparse
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

SERVERS = ("gateway", "baseline", "floor")
ERROR_KEYS = ("errors_connect", "errors_read", "errors_write", "errors_timeout", "non2xx")


def parse_raw(path):
    runs = defaultdict(list)  # (scenario, c, server) -> [fields]
    order = []
    for line in Path(path).read_text().splitlines():
        if not line.strip():
            continue
        scenario, c, server, _rep, rest = line.split("\t", 4)
        fields = dict(kv.split("=", 1) for kv in rest.split())
        key = (scenario, int(c), server)
        if (scenario, int(c)) not in order:
            order.append((scenario, int(c)))
        runs[key].append(fields)
    return runs, order


def median(runs, field):
    return statistics.median(float(r[field]) for r in runs)


def errors(runs):
    return sum(int(r[k]) for r in runs for k in ERROR_KEYS)


def fmt_int(x):
    return "—" if x is None else f"{x:,.0f}"


def fmt_ratio(x):
    return "—" if x is None else f"{x:.2f}×"


def side_by_side(runs, order):
    out = [
        "| Scenario | c | Gateway req/s | Baseline req/s | Floor req/s | GW/BL | GW/Floor "
        "| p50 µs GW / BL / Floor | p99 µs GW / BL / Floor | errors+non-2xx GW / BL / Floor |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    medians = {}
    for scenario, c in order:
        if scenario == "overload":
            continue
        row = {}
        for server in SERVERS:
            r = runs.get((scenario, c, server))
            if r:
                row[server] = {
                    "rps": median(r, "rps"),
                    "p50": median(r, "p50_us"),
                    "p99": median(r, "p99_us"),
                    "err": errors(r),
                    "n": len(r),
                }
        medians[(scenario, c)] = row
        g, b, f = (row.get(s) for s in SERVERS)

        def val(s, k):
            return None if s is None else s[k]

        def triple(k):
            return " / ".join("—" if s is None else f"{s[k]:,.0f}" for s in (g, b, f))

        gb = g["rps"] / b["rps"] if g and b else None
        gf = g["rps"] / f["rps"] if g and f else None
        out.append(
            f"| {scenario} | {c} | {fmt_int(val(g, 'rps'))} | {fmt_int(val(b, 'rps'))} | {fmt_int(val(f, 'rps'))} "
            f"| {fmt_ratio(gb)} | {fmt_ratio(gf)} | {triple('p50')} | {triple('p99')} | {triple('err')} |"
        )
    return out, medians


def check(label, ok, detail):
    if ok is None:
        return f"| {label} | n/a | {detail} |"
    return f"| {label} | {'pass' if ok else '**FAIL**'} | {detail} |"


def targets(m, overload):
    out = ["| Target | Result | Measured |", "|---|---|---|"]

    def get(scenario, c, server, key):
        return m.get((scenario, c), {}).get(server, {}).get(key)

    g, f, b = (get("credit-risk-json", 64, s, "rps") for s in ("gateway", "floor", "baseline"))
    if g and f:
        out.append(check("credit-risk JSON c=64: gateway ≥ 0.85× floor req/s", g >= 0.85 * f, f"{g / f:.2f}×"))
    if g and b:
        out.append(check("credit-risk JSON c=64: gateway ≥ 1.3× baseline req/s", g >= 1.3 * b, f"{g / b:.2f}×"))
    gp, bp = get("credit-risk-json", 64, "gateway", "p99"), get("credit-risk-json", 64, "baseline", "p99")
    if gp and bp:
        out.append(check("credit-risk JSON c=64: gateway p99 ≤ baseline p99", gp <= bp, f"{gp:,.0f} µs vs {bp:,.0f} µs"))
    gp, bp, fp = (get("credit-risk-json", 1, s, "p50") for s in ("gateway", "baseline", "floor"))
    if gp and bp:
        out.append(check("credit-risk JSON c=1: gateway p50 ≤ 1.10× baseline p50", gp <= 1.10 * bp, f"{gp:,.0f} µs vs {bp:,.0f} µs ({gp / bp:.2f}×)"))
    if gp and fp:
        out.append(check("credit-risk JSON c=1: gateway p50 ≤ floor p50 + 15 µs", gp <= fp + 15, f"{gp:,.0f} µs vs {fp:,.0f} µs (+{gp - fp:,.0f} µs)"))
    g, f = get("credit-risk-binary", 64, "gateway", "rps"), get("credit-risk-binary", 64, "floor", "rps")
    if g and f:
        out.append(check("credit-risk binary c=64: gateway ≥ 0.92× floor req/s", g >= 0.92 * f, f"{g / f:.2f}×"))
    g, b = get("image-json", 16, "gateway", "rps"), get("image-json", 16, "baseline", "rps")
    if g and b:
        out.append(check("image JSON c=16: gateway ≥ 0.95× baseline req/s", g >= 0.95 * b, f"{g / b:.2f}×"))
    if overload:
        o = overload
        other = int(o.get("status_other", 0)) + sum(int(o[k]) for k in ERROR_KEYS[:4])
        out.append(check("overload: 503s and nothing else (no other status, no socket errors)",
                         int(o.get("status_503", 0)) > 0 and other == 0,
                         f"{o.get('status_503')} × 503, {o.get('status_2xx')} × 2xx, {other} other"))
        first = o["recovery_list"][0] if o["recovery_list"] else None
        if first:
            out.append(check("overload: the next request answers at once (200 within 100 ms)",
                             first[0] == "200" and first[1] <= 0.1,
                             f"HTTP {first[0]} in {first[1] * 1000:.1f} ms"))
    return out


def histogram(path, name, labels):
    """Cumulative buckets {le: count} of one labelled Prometheus histogram in a text exposition."""
    buckets = {}
    pattern = re.compile(r"^" + re.escape(name) + r"_bucket\{(.*)\} (\S+)$")
    for line in Path(path).read_text().splitlines():
        mt = pattern.match(line)
        if not mt:
            continue
        lab = dict(re.findall(r'(\w+)="([^"]*)"', mt.group(1)))
        if all(lab.get(k) == v for k, v in labels.items()):
            buckets[float(lab["le"])] = float(mt.group(2))
    return buckets


def counter(path, name, labels):
    pattern = re.compile(r"^" + re.escape(name) + r"\{(.*)\} (\S+)$")
    for line in Path(path).read_text().splitlines():
        mt = pattern.match(line)
        if mt:
            lab = dict(re.findall(r'(\w+)="([^"]*)"', mt.group(1)))
            if all(lab.get(k) == v for k, v in labels.items()):
                return float(mt.group(2))
    return 0.0


def quantile(q, buckets):
    """Prometheus histogram_quantile: linear interpolation inside the bucket holding the rank."""
    les = sorted(buckets)
    total = buckets[les[-1]] if les else 0
    if total <= 0:
        return None
    rank = q * total
    prev_le, prev_count = 0.0, 0.0
    for le in les:
        count = buckets[le]
        if count >= rank:
            if le == float("inf"):
                return prev_le
            return prev_le + (le - prev_le) * (rank - prev_count) / max(count - prev_count, 1e-9)
        prev_le, prev_count = le, count
    return les[-1]


def overload_section(directory, runs):
    r = runs.get(("overload", 512, "gateway"))
    if not r:
        return [], None
    o = dict(r[0])
    o["recovery_list"] = [(s, float(t)) for s, t in (x.split(":") for x in o.get("recovery", "").split(",") if x)]
    labels = {"model": "image-classifier", "version": "1"}
    before, after = directory / "overload-metrics-before.txt", directory / "overload-metrics-after.txt"
    lines = [
        "| Overload (image-classifier, max_queue_size 64, 512 connections) | |",
        "|---|---|",
        f"| requests (wrk) | {int(o['requests']):,} in {float(o['duration_s']):.1f} s ({float(o['rps']):,.0f} req/s) |",
        f"| 2xx / 503 / other status | {o.get('status_2xx')} / {o.get('status_503')} / {o.get('status_other')} |",
        f"| socket errors (connect, read, write, timeout) | {o['errors_connect']}, {o['errors_read']}, {o['errors_write']}, {o['errors_timeout']} |",
        f"| latency of all responses (wrk) p50 / p99 / max | {int(o['p50_us']):,} / {int(o['p99_us']):,} / {int(o['max_us']):,} µs |",
    ]
    if before.exists() and after.exists():
        hb = histogram(before, "serving_request_duration_seconds", labels)
        ha = histogram(after, "serving_request_duration_seconds", labels)
        diff = {le: ha.get(le, 0) - hb.get(le, 0) for le in ha}
        p50, p99 = quantile(0.5, diff), quantile(0.99, diff)
        if p50 is not None:
            lines.append(f"| latency of 2xx, server side (gateway histogram, ×2 buckets) p50 / p99 | "
                         f"{p50 * 1e6:,.0f} / {p99 * 1e6:,.0f} µs |")
        rejected = counter(after, "serving_queue_rejections_total", labels) - counter(before, "serving_queue_rejections_total", labels)
        lines.append(f"| 503s counted by the gateway (queue full) | {rejected:,.0f} |")
    rec = ", ".join(f"{s} in {t * 1000:.1f} ms" for s, t in o["recovery_list"])
    lines.append(f"| requests right after the load stopped (sequential) | {rec} |")
    return lines, o


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("directory", type=Path)
    ap.add_argument("--config", default="")
    args = ap.parse_args()
    runs, order = parse_raw(args.directory / "raw.tsv")
    table, medians = side_by_side(runs, order)
    over, o = overload_section(args.directory, runs)
    print(f"Configuration: {args.config}\n")
    print("\n".join(table))
    print()
    if over:
        print("\n".join(over))
        print()
    print("\n".join(targets(medians, o)))


if __name__ == "__main__":
    sys.exit(main())
