#!/usr/bin/env python3
"""Traffic, outcomes and the story's checks for loadtests/outcomes-demo.sh (docs/outcomes.md#the-loan-story-demo).

Applicants come from models/make_models.py's generating process (another seed than training); their outcomes
(default or not) are drawn from its known generating logit. The change: the upstream system starts reporting
years_at_employer with its meaning inverted — each value is replaced by the value at the mirrored quantile of the
same distribution (long tenure is now reported as short), so every marginal histogram is what the reference
describes and PSI/KS see nothing — while in the world the real tenure starts to matter more (a downturn:
recent hires lose their jobs first). Only the outcomes show that the model has become wrong.
"""
import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from demo_common import MODEL, VERSION, alerts, call, drift_status, start_alert_receiver, version_of, wait_until
from make_models import generate_applicants, sigmoid, true_logit  # noqa: E402 (demo_common puts models/ on the path)

TENURE = 9  # years_at_employer's column
DOWNTURN = 4.8  # extra weight of real job stability after the change, in logits


def predict(base, request_id, row):
    status, body, headers = call("POST", f"{base}/v2/models/{MODEL}/infer", {
        "id": request_id,
        "inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 12], "data": [float(v) for v in row]}]})
    if status != 200:
        raise SystemExit(f"inference failed: {status} {body}")
    probability = next(o for o in body["outputs"] if o["name"] == "probability")["data"][0]
    return body.get("id", request_id), headers["x-model-version"], headers["x-model-variant"], probability


def predict_all(base, prefix, x, pool):
    return list(pool.map(lambda i: predict(base, f"{prefix}-{i}", x[i]), range(len(x))))


def feedback(base, ids, labels):
    status, body, _ = call("POST", f"{base}/v2/models/{MODEL}/feedback",
                           [{"id": i, "label": int(y)} for i, y in zip(ids, labels)])
    if status >= 300:
        raise SystemExit(f"feedback refused: {status} {body}")
    return body


def feedback_available(base):
    # An unknown id is counted and reported by the feedback API, never refused; a gateway without it answers 404.
    status, _, _ = call("POST", f"{base}/v2/models/{MODEL}/feedback", [{"id": "outcomes-demo-probe", "label": 0}])
    return status < 300, status


class Mirror:
    """Inverts a value's meaning while keeping the distribution: t -> Q(1 - F(t)) under the reference's tenure."""

    def __init__(self, seed):
        self.sorted = np.sort(generate_applicants(np.random.default_rng(seed), 200_000)[:, TENURE])

    def __call__(self, t):
        f = np.searchsorted(self.sorted, t, side="right") / len(self.sorted)
        return np.round(np.quantile(self.sorted, np.clip(1 - f, 0, 1)), 2)


def downturn_logit(x, offset):
    return true_logit(x) - DOWNTURN * (1 - np.exp(-x[:, TENURE] / 2)) + offset


def calibrate_offset(rng):
    """The intercept shift that keeps the default rate where it was (about 20 %): only the relation changes."""
    x = generate_applicants(rng, 100_000)
    target, offset = sigmoid(true_logit(x)).mean(), 0.0
    for _ in range(50):
        offset += (target - sigmoid(downturn_logit(x, offset)).mean()) * 5
    return offset


def data_drift_firing(status):
    return sorted(c["name"] for c in version_of(status)["columns"] if c.get("alarm_state") == "firing")


def windows(status):
    return len(version_of(status).get("history", []))


def performance(base):
    status, body, _ = call("GET", f"{base}/admin/performance/{MODEL}")
    return body if status == 200 else None


def show_performance(body):
    """Prints, per version and variant, the realised online metrics beside the offline and label-free (CBPE) values."""
    if body is None:
        print("  /admin/performance is not available")
        return

    def figure(value):
        return "-" if value is None else f"{value:.4f}"

    print(f"  {'version':<8}{'variant':<9}{'labelled':>9}  {'metric':<18}{'online':>8}{'offline':>9}{'estimated':>11}")
    for version in body.get("versions", []):
        for metric in version.get("metrics", []):
            print(f"  {version['version']:<8}{version['variant']:<9}{version['labelled']:>9}  {metric['name']:<18}"
                  f"{figure(metric.get('value')):>8}{figure(metric.get('offline')):>9}{figure(metric.get('estimated')):>11}")


def part_one(base, pool, clean, shifted, has_feedback):
    rng = np.random.default_rng(20261201)
    mirror = Mirror(20261202)
    offset = calibrate_offset(np.random.default_rng(20261203))
    print(f"== 1. concept drift: {clean} applicants as usual, then years_at_employer changes meaning ==")
    x = generate_applicants(rng, clean)
    answered = predict_all(base, "loan", x, pool)
    y = rng.random(clean) < sigmoid(true_logit(x))
    if has_feedback:
        for i in range(0, clean, 200):
            feedback(base, [a[0] for a in answered[i:i + 200]], y[i:i + 200])
    before = drift_status(base, "?history=1000")
    concept = version_of(before, VERSION).get("concept_drift")
    print(f"  before the change: {windows(before)} drift windows judged, data drift firing: {data_drift_firing(before) or 'none'}, "
          f"concept drift: {concept['state'] if concept else 'no labels yet'}")

    fired_at = None
    for start in range(0, shifted, 200):
        n = min(200, shifted - start)
        truth = generate_applicants(rng, n)
        reported = truth.copy()
        reported[:, TENURE] = mirror(truth[:, TENURE])
        answered = predict_all(base, f"loan-shifted-{start}", reported, pool)
        labels = rng.random(n) < sigmoid(downturn_logit(truth, offset))
        if has_feedback:
            feedback(base, [a[0] for a in answered], labels)
            concept = version_of(drift_status(base, "?history=1000"), VERSION).get("concept_drift")
            if concept and concept["state"] == "firing":
                fired_at = start + n
                break
    time.sleep(1.0)
    after = drift_status(base, "?history=1000")
    print(f"  after the change: {windows(after)} drift windows judged, data drift firing: {data_drift_firing(after) or 'none'}")
    yrs = next((c for c in version_of(after, VERSION)["columns"] if c["name"] == "years_at_employer"), None)
    if yrs:
        print(f"  years_at_employer in the last window: PSI {float(yrs['psi']):.3f}, KS D {float(yrs['ks_statistic']):.3f}, adjusted p {float(yrs['ks_pvalue_adjusted']):.3g}")
    if not has_feedback:
        return False
    concept = version_of(after, VERSION).get("concept_drift")
    if fired_at is None:
        print(f"  concept drift did NOT fire within {shifted} labelled predictions after the change: {concept}")
        return False
    print(f"  concept drift FIRED for {MODEL} v{VERSION} after {fired_at} labelled predictions since the change")
    print(f"    {concept['description']}")
    wait_until(lambda: any(a["labels"].get("alertname") == "ModelConceptDrift" for a in alerts), 10, 0.1)
    for a in alerts:
        if a["labels"].get("alertname") == "ModelConceptDrift":
            print(f"  alert {a['status']}: {a['labels']['alertname']} model={a['labels']['model']} version={a['labels']['version']}: {a['annotations']['summary']}")
    print("  online performance, realised beside the label-free estimate (/admin/performance/credit-risk):")
    show_performance(performance(base))
    return True


def part_two(base, pool, canary_max, has_feedback):
    print("== 2. a canary with a better offline AUC and worse online outcomes, under an experiment step ==")
    # The logistic regression (version 1's graph) registered with the AUC its authors measured on a leaky split.
    status, body, _ = call("POST", f"{base}/admin/models/{MODEL}/versions", {
        "artifact": f"{MODEL}/1/model.onnx", "actor": "demo",
        "description": "logistic regression; offline metrics from a validation split that leaked the outcome",
        "metrics": {"auc": 0.8512, "log_loss": 0.3604, "accuracy": 0.8431}})
    if status != 201:
        raise SystemExit(f"register failed: {status} {body}")
    canary = body["version"]
    call("POST", f"{base}/admin/models/{MODEL}/versions/{canary}/transition", {"stage": "Staging", "reason": "canary candidate", "approver": "demo"})
    print(f"  registered v{canary}: offline AUC 0.8512 in its metadata (v{VERSION}'s is 0.8293)")
    bad = {"model": MODEL, "mode": "canary", "canary": {"stable_version": int(VERSION), "canary_version": canary, "weight": 0},
           "plan": {"steps": [{"type": "experiment", "metric": "auc", "mixture_standard_deviation": 0.05, "interval_seconds": 2}]}}
    status, body, _ = call("PUT", f"{base}/admin/rollouts/{MODEL}", bad)
    print(f"  an experiment on an unknown metric is refused: {status} {body}")
    policy = dict(bad, plan={"steps": [
        {"type": "set_weight", "weight": 50},
        {"type": "experiment", "metric": "log_loss", "mixture_standard_deviation": 0.05, "interval_seconds": 2,
         "max_samples_per_arm": canary_max},
        {"type": "set_weight", "weight": 100}]}, reason="v3: better offline AUC")
    status, body, _ = call("PUT", f"{base}/admin/rollouts/{MODEL}", policy)
    if status not in (200, 201):
        raise SystemExit(f"rollout refused: {status} {body}")
    status, body, _ = call("POST", f"{base}/admin/rollouts/{MODEL}/start", {"actor": "demo", "reason": "v3 canary"})
    print(f"  rollout started: {status} {body['policy']['progress']['reason'] if status == 200 else body}")
    if not has_feedback:
        return False
    rng = np.random.default_rng(20261204)
    sent, rollout = 0, None
    while sent < 2 * canary_max:
        x = generate_applicants(rng, 400)
        answered = predict_all(base, f"canary-{sent}", x, pool)
        feedback(base, [a[0] for a in answered], rng.random(len(x)) < sigmoid(true_logit(x)))
        sent += len(x)
        rollout = call("GET", f"{base}/admin/rollouts/{MODEL}")[1]
        if rollout["policy"]["progress"]["status"] in ("aborted", "promoted"):
            break
    progress = rollout["policy"]["progress"]
    print(f"  after {sent} applicants: rollout {progress['status'].upper()}: {progress['reason']}")
    experiment = ((rollout.get("status") or {}).get("last_analysis") or {}).get("experiment")
    if experiment:
        print(f"  stable n={experiment['stable_count']} log_loss={float(experiment['stable_mean']):.4f}; "
              f"canary n={experiment['canary_count']} log_loss={float(experiment['canary_mean']):.4f}; "
              f"improvement {float(experiment['effect']):.4f} in [{float(experiment['lower']):.4f}, {float(experiment['upper']):.4f}]")
    audit = call("GET", f"{base}/admin/models/{MODEL}/audit")[1]
    entries = audit.get("entries", audit) if isinstance(audit, dict) else audit
    for entry in entries or []:
        if entry.get("version") == canary and entry.get("after") == "Archived":
            print(f"  audit: v{canary} -> Archived by {entry.get('actor')}: {entry.get('reason')}")
    return progress["status"] == "aborted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--hook-port", type=int, required=True)
    parser.add_argument("--clean", type=int, default=2000)
    parser.add_argument("--shifted", type=int, default=4000)
    parser.add_argument("--canary-max", type=int, default=30000)
    args = parser.parse_args()
    server = start_alert_receiver(args.hook_port)
    has_feedback, status = feedback_available(args.url)
    if not has_feedback:
        print(f"POST /v2/models/{MODEL}/feedback answered {status}: start the gateway with "
              "--Serving:Outcomes:Enabled=true (as outcomes-demo.sh does); running the parts that do not need feedback.")
    with ThreadPoolExecutor(8) as pool:
        fired = part_one(args.url, pool, args.clean, args.shifted, has_feedback)
        aborted = part_two(args.url, pool, args.canary_max, has_feedback)
    server.shutdown()
    if not has_feedback:
        sys.exit(2)
    print("story complete" if fired and aborted else "story INCOMPLETE")
    sys.exit(0 if fired and aborted else 1)


if __name__ == "__main__":
    main()
