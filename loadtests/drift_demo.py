#!/usr/bin/env python3
"""Traffic, alert receiver and report for loadtests/drift-demo.sh.

Fresh applicants come from models/make_models.py's generating process (another seed than training),
so unshifted traffic is what the reference describes. Windows are paced exactly: each phase sends one
window's rows and waits until the gateway has evaluated it (serving_drift_windows_total).
"""
import argparse
import html
import sys
import time
from pathlib import Path

import numpy as np

from demo_common import MODEL, VERSION, alerts, call, drift_status, start_alert_receiver, version_of, wait_until
from make_models import FEATURES, generate_applicants  # noqa: E402 (demo_common puts models/ on the path)

SHIFTED = "years_at_employer"


def windows_evaluated(base):
    for line in call("GET", base + "/metrics")[1].splitlines():
        if line.startswith(f'serving_drift_windows_total{{model="{MODEL}",version="{VERSION}"}}'):
            return int(float(line.split()[-1]))
    return 0


def send_window(base, x, batch=50):
    before = windows_evaluated(base)
    for i in range(0, len(x), batch):
        rows = x[i:i + batch]
        status, body, _ = call("POST", f"{base}/v2/models/{MODEL}/versions/{VERSION}/infer",
                               {"inputs": [{"name": "features", "datatype": "FP32", "shape": list(rows.shape), "data": rows.ravel().tolist()}]})
        if status != 200:
            raise SystemExit(f"inference failed: {status} {body}")
    if not wait_until(lambda: windows_evaluated(base) > before, 10):
        raise SystemExit("the gateway did not evaluate the window within 10 s")


def firing(status):
    return {c["name"] for c in version_of(status)["columns"] if c["alarm_state"] == "firing"}


def num(value):
    """The gateway writes NaN as the string "NaN" (statistics that do not apply to a column's test)."""
    return float(value)


def report(status, path, clean_windows, shifted_windows):
    version = version_of(status)
    parts = [f"<h1>Drift demo: {MODEL} v{VERSION}</h1>",
             f"<p>{clean_windows} windows of reference-like traffic, then {shifted_windows} windows with "
             f"<b>{SHIFTED}</b> in months instead of years. Last window: {version['window']['rows']} rows.</p>"]
    for c in version["columns"]:
        if c["test"] == "missing_rate":
            continue  # missing-rate alarms (missing:<column>) have no histogram; their rate is in the JSON
        ref, live = c["reference_proportions"], c["live_proportions"]
        width, height, n = 420, 120, len(ref)
        bar = width / max(n, 1) / 2.2
        top = max(ref + live + [1e-9])
        bars = []
        for i, (r, l) in enumerate(zip(ref, live)):
            x0 = i * width / n
            bars.append(f'<rect x="{x0:.1f}" y="{height - r / top * height:.1f}" width="{bar:.1f}" height="{r / top * height:.1f}" fill="#8aa"/>')
            bars.append(f'<rect x="{x0 + bar:.1f}" y="{height - l / top * height:.1f}" width="{bar:.1f}" height="{l / top * height:.1f}" fill="#d55"/>')
        colour = "#d55" if c["alarm_state"] == "firing" else "#333"
        parts.append(
            f'<div style="display:inline-block;margin:8px;font:12px sans-serif;color:{colour}">'
            f'<b>{html.escape(c["name"])}</b> ({c["test"]}) PSI {num(c["psi"]):.3f} KS D {num(c["ks_statistic"]):.3f} p {num(c["ks_pvalue_adjusted"]):.2g} '
            f'[{c["alarm_state"]}]<br><svg width="{width}" height="{height}" style="border:1px solid #ccc">{"".join(bars)}</svg></div>')
    parts.append('<p style="font:12px sans-serif"><span style="color:#8aa">&#9632;</span> reference '
                 '<span style="color:#d55">&#9632;</span> live, per frozen decile bin (or category, then unseen) of the reference</p>')
    Path(path).write_text("<!doctype html><meta charset=utf-8><title>Drift demo</title>" + "".join(parts))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--hook-port", type=int, required=True)
    ap.add_argument("--clean-windows", type=int, default=20)
    ap.add_argument("--max-shifted-windows", type=int, default=8)
    ap.add_argument("--window-rows", type=int, default=500)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    server = start_alert_receiver(args.hook_port)
    rng = np.random.default_rng(20261123)
    column = FEATURES.index(SHIFTED)

    for w in range(args.clean_windows):
        send_window(args.url, generate_applicants(rng, args.window_rows).astype(np.float32))
    status = drift_status(args.url)
    clean_firing = firing(status) | {a["labels"]["feature"] for a in alerts if a["status"] == "firing"}
    print(f"clean traffic: {args.clean_windows} windows, alarms firing: {sorted(clean_firing) or 'none'}")

    shifted = 0
    while shifted < args.max_shifted_windows:
        x = generate_applicants(rng, args.window_rows).astype(np.float32)
        x[:, column] *= 12.0  # the upstream system now sends months
        send_window(args.url, x)
        shifted += 1
        status = drift_status(args.url)
        if SHIFTED in firing(status):
            break
    time.sleep(1.0)  # let the webhook deliveries land
    fired = firing(status)
    features_fired = sorted(f for f in fired if not f.startswith("output:"))
    outputs_fired = sorted(f for f in fired if f.startswith("output:"))
    webhook = sorted({a["labels"]["feature"] for a in alerts if a["status"] == "firing"})
    report(status, args.out, args.clean_windows, shifted)
    print(f"shifted traffic: {shifted} windows; features firing: {features_fired}; predictions firing: {outputs_fired}")
    print(f"webhook alerts received for: {webhook}")
    print(f"report: {args.out}")
    ok = not clean_firing and features_fired == [SHIFTED] and SHIFTED in webhook
    print("RESULT: " + ("PASS" if ok else "FAIL"))
    server.shutdown()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
