#!/usr/bin/python3
"""Writes the outcome-statistics fixtures that Serving.Core.Tests compares against.

Run with Debian's interpreter and packages (python3-numpy, python3-scipy):

    /usr/bin/python3 tests/Serving.Core.Tests/Outcomes/Fixtures/make_fixtures.py

Seeded, so re-running reproduces the committed JSON on the same numpy/scipy versions. The computations
here are deliberately written another way than src/Serving.Core/Outcomes:
  * AUC: scipy.stats.mannwhitneyu U statistic / (n1 n0), cross-checked against the brute-force pairwise
    mean of psi(x, y) = 1 if x > y, 1/2 if x == y, 0 otherwise.
  * DeLong variance: from the full n1 x n0 psi matrix (row and column means), not from midranks.
  * Means and their standard errors: numpy mean and std(ddof=1) / sqrt(n); interval +-
    scipy.stats.norm.ppf(0.975) * se. AUC interval clipped to [0, 1].
  * ECE: 10 equal-width bins, bin = min(floor(10 p), 9), sum over bins of n_b/n |mean p - mean y|.
  * RMSE standard error: delta method se(mean squared error) / (2 rmse), lower bound clipped at 0.
  * CBPE: NannyML's construction -- expected confusion matrix at every threshold (each distinct
    probability), ROC curve of expected TPR/FPR, area by the trapezoidal rule (numpy.trapz).
  * mSPRT: the mixture likelihood ratio integrated numerically (scipy.integrate.quad of the normal
    likelihood ratio against the N(0, tau^2) mixture), the interval bounds found by root finding
    (scipy.optimize.brentq on Lambda(theta0) = 1/alpha) -- not the closed form the C# code uses.
"""
import json
import os

import numpy as np
import scipy
from scipy import integrate, optimize, stats

OUT = os.path.dirname(os.path.abspath(__file__))
META = {"numpy": np.__version__, "scipy": scipy.__version__, "generator": "make_fixtures.py"}
Z = float(stats.norm.ppf(0.975))
CLIP = 1e-15


def write(name, payload):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as fh:
        json.dump({"meta": META, "z95": Z, **payload}, fh, indent=None, separators=(",", ":"))
        fh.write("\n")


def mean_interval(terms):
    terms = np.asarray(terms, dtype=np.float64)
    m = float(np.mean(terms))
    se = float(np.std(terms, ddof=1) / np.sqrt(len(terms)))
    return {"value": m, "se": se, "lower": m - Z * se, "upper": m + Z * se}


def auc_delong(p, y):
    pos, neg = p[y == 1], p[y == 0]
    psi = (pos[:, None] > neg[None, :]).astype(np.float64) + 0.5 * (pos[:, None] == neg[None, :])
    auc = float(psi.mean())
    u = stats.mannwhitneyu(pos, neg, alternative="two-sided").statistic
    assert abs(u / (len(pos) * len(neg)) - auc) < 1e-12
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    var = np.var(v10, ddof=1) / len(pos) + np.var(v01, ddof=1) / len(neg)
    se = float(np.sqrt(var))
    return {"value": auc, "se": se, "lower": max(0.0, auc - Z * se), "upper": min(1.0, auc + Z * se)}


def ece(p, y):
    bins = np.minimum(np.floor(p * 10), 9).astype(int)
    total = 0.0
    for b in range(10):
        mask = bins == b
        if mask.any():
            total += mask.sum() / len(p) * abs(p[mask].mean() - y[mask].mean())
    return float(total)


def classifier_case(name, p, y, threshold):
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    c = np.clip(p, CLIP, 1 - CLIP)
    return {
        "name": name, "threshold": threshold, "probabilities": p.tolist(), "labels": y.tolist(),
        "auc": auc_delong(p, y),
        "log_loss": mean_interval(-(y * np.log(c) + (1 - y) * np.log(1 - c))),
        "brier": mean_interval((p - y) ** 2),
        "accuracy": mean_interval(((p >= threshold) == (y == 1)).astype(np.float64)),
        "ece": ece(p, y),
    }


def regressor_case(name, pred, y):
    pred, y = np.asarray(pred, dtype=np.float64), np.asarray(y, dtype=np.float64)
    e = pred - y
    sq = mean_interval(e ** 2)
    rmse = float(np.sqrt(sq["value"]))
    se = sq["se"] / (2 * rmse)
    return {"name": name, "predictions": pred.tolist(), "labels": y.tolist(),
            "mae": mean_interval(np.abs(e)),
            "rmse": {"value": rmse, "se": se, "lower": max(0.0, rmse - Z * se), "upper": rmse + Z * se}}


def cbpe_case(name, p, threshold):
    p = np.asarray(p, dtype=np.float64)
    expected_accuracy = float(np.mean(np.where(p >= threshold, p, 1 - p)))
    thresholds = np.concatenate(([np.inf], np.unique(p)[::-1]))
    tp = np.array([p[p >= t].sum() for t in thresholds])
    fp = np.array([(1 - p[p >= t]).sum() for t in thresholds])
    tpr, fpr = tp / p.sum(), fp / (1 - p).sum()
    return {"name": name, "threshold": threshold, "probabilities": p.tolist(),
            "expected_accuracy": expected_accuracy, "expected_auc": float(np.trapz(tpr, fpr))}


def msprt_log_lambda(effect, var, tau, theta0):
    # log of  integral N(effect; theta0 + h, var) N(h; 0, tau^2) dh / N(effect; theta0, var),
    # scaled by exp(-c) inside the integral to stay finite, c the log of the integrand's maximum.
    sd = np.sqrt(var)
    def log_integrand(h):
        return (stats.norm.logpdf(effect, theta0 + h, sd) + stats.norm.logpdf(h, 0, tau)
                - stats.norm.logpdf(effect, theta0, sd))
    peak = (effect - theta0) * tau ** 2 / (tau ** 2 + var)
    c = log_integrand(peak)
    width = np.sqrt(var * tau ** 2 / (var + tau ** 2))
    value, _ = integrate.quad(lambda h: np.exp(log_integrand(h) - c), peak - 40 * width, peak + 40 * width,
                              epsabs=0, epsrel=1e-13, limit=200, points=[peak])
    return c + np.log(value)


def msprt_case(name, control, treatment, tau, alpha, margin, higher_is_better):
    control, treatment = np.asarray(control, dtype=np.float64), np.asarray(treatment, dtype=np.float64)
    diff = treatment.mean() - control.mean()
    effect = float(diff if higher_is_better else -diff)
    var = float(np.var(control, ddof=1) / len(control) + np.var(treatment, ddof=1) / len(treatment))
    target = np.log(1 / alpha)
    f = lambda t0: msprt_log_lambda(effect, var, tau, t0) - target
    span = 50 * np.sqrt(var) + 10 * tau
    lower = optimize.brentq(f, effect - span, effect, xtol=1e-15, rtol=1e-15)
    upper = optimize.brentq(f, effect, effect + span, xtol=1e-15, rtol=1e-15)
    p = float(min(1.0, np.exp(-msprt_log_lambda(effect, var, tau, 0.0))))
    decision = "Pass" if lower > -margin else "Fail" if upper < 0 else "Wait"
    return {"name": name, "control": control.tolist(), "treatment": treatment.tolist(), "tau": tau,
            "alpha": alpha, "margin": margin, "higher_is_better": higher_is_better, "effect": effect,
            "lower": float(lower), "upper": float(upper), "p_value": p, "decision": decision}


def msprt_cases():
    rng = np.random.default_rng(2022)
    return [
        msprt_case("rates_improved", rng.binomial(1, 0.10, 3000), rng.binomial(1, 0.14, 3000), 0.02, 0.05, 0.0, True),
        msprt_case("rates_equal_wait", rng.binomial(1, 0.10, 800), rng.binomial(1, 0.10, 900), 0.02, 0.05, 0.0, True),
        msprt_case("rates_harm", rng.binomial(1, 0.30, 2000), rng.binomial(1, 0.24, 2500), 0.05, 0.05, 0.0, True),
        msprt_case("revenue_noninferior", rng.gamma(2.0, 10.0, 4000), rng.gamma(2.0, 10.0, 4000), 2.0, 0.05, 1.5, True),
        msprt_case("log_loss_lower_better", rng.exponential(0.40, 1500), rng.exponential(0.33, 1500), 0.05, 0.10, 0.0, False),
    ]


def main():
    rng = np.random.default_rng(20261201)
    classifier, regressor, cbpe = [], [], []

    # A calibrated model on continuous scores.
    p = rng.beta(2.0, 5.0, 500)
    classifier.append(classifier_case("continuous_500", p, rng.binomial(1, p), 0.5))
    # Scores on a 0.05 grid: many ties, across positives and negatives.
    p = np.round(rng.uniform(0, 1, 400) * 20) / 20
    classifier.append(classifier_case("ties_grid_400", p, rng.binomial(1, p), 0.3))
    # Exact 0 and 1 probabilities, some confidently wrong: the log-loss clip matters.
    p = np.concatenate((rng.uniform(0, 1, 60), [0.0, 0.0, 1.0, 1.0, 0.5, 0.9, 0.1]))
    y = np.concatenate((rng.binomial(1, p[:60]), [0, 1, 1, 0, 1, 0, 1]))
    classifier.append(classifier_case("clipped_extremes", p, y, 0.5))
    # A miscalibrated, overconfident model on few points.
    p = rng.uniform(0, 1, 12) ** 3
    classifier.append(classifier_case("small_overconfident", p, np.array([0, 1] * 6), 0.25))
    # A large window of heavily imbalanced labels.
    p = rng.beta(1.0, 15.0, 5000)
    classifier.append(classifier_case("imbalanced_5000", p, rng.binomial(1, p), 0.1))

    x = rng.normal(0, 1, 300)
    regressor.append(regressor_case("gaussian_300", x + rng.normal(0, 0.5, 300), x))
    x = rng.exponential(3.0, 50)
    regressor.append(regressor_case("skewed_50", x * 1.2 + rng.standard_t(3, 50), x))

    cbpe.append(cbpe_case("beta_1000", rng.beta(2.0, 3.0, 1000), 0.5))
    cbpe.append(cbpe_case("grid_ties_300", np.round(rng.uniform(0, 1, 300) * 10) / 10, 0.4))
    cbpe.append(cbpe_case("skewed_2000", rng.beta(0.5, 4.0, 2000), 0.2))

    write("performance.json", {"classifier": classifier, "regressor": regressor})
    write("cbpe.json", {"cases": cbpe})
    write("msprt.json", {"cases": msprt_cases()})


if __name__ == "__main__":
    main()
