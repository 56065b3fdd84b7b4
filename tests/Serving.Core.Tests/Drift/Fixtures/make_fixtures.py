#!/usr/bin/python3
"""Writes the drift-statistics fixtures that Serving.Core.Tests compares against.

Run with Debian's interpreter and packages (python3-numpy, python3-scipy):

    /usr/bin/python3 tests/Serving.Core.Tests/Drift/Fixtures/make_fixtures.py

Everything is seeded, so re-running reproduces the committed JSON byte for byte
on the same numpy/scipy versions (recorded in each file). Sample values are
float32 numbers written in their shortest round-trip form, so C# parses exactly
the values scipy saw (the C# side records float features).

Conventions mirrored by src/Serving.Core/Drift:
  * PSI bin edges: numpy.quantile(reference, [0.1, ..., 0.9], method='linear'),
    duplicate edges removed; bin of x = numpy.searchsorted(edges, x, side='right'),
    i.e. bins (-inf, e1), [e1, e2), ..., [ek, +inf).
  * PSI = sum((live - ref) * ln(live / ref)) with both proportions floored at
    PSI_EPSILON = 1e-4 (no renormalisation). NaN values are excluded.
  * KS: scipy.stats.ks_2samp(method='auto', alternative='two-sided').
  * Multiple testing: Bonferroni min(1, m p); Benjamini-Hochberg step-up
    adjusted p-values (scipy.stats.false_discovery_control when present,
    otherwise the same formula in numpy below).
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

PSI_EPSILON = 1e-4
OUT = os.path.dirname(os.path.abspath(__file__))
META = {"numpy": np.__version__, "scipy": scipy.__version__,
        "generator": "make_fixtures.py"}


def f32(values):
    """Round to float32 (what the gateway records) and return float64 copies."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def f32_list(values):
    # repr of a numpy float32 is its shortest round-trip decimal string.
    return [float(repr(np.float32(v))) if np.isfinite(v) else None
            for v in np.asarray(values, dtype=np.float32)]


def write(name, payload):
    payload = {"meta": META, **payload}
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=None, separators=(",", ":"))
        fh.write("\n")


# --------------------------------------------------------------------------- KS
def ks_case(name, x, y):
    x, y = f32(x), f32(y)
    res = stats.ks_2samp(x, y, alternative="two-sided", method="auto")
    method = "exact" if max(len(x), len(y)) <= 10000 else "asymp"
    return {"name": name, "method": method, "statistic": float(res.statistic),
            "pvalue": float(res.pvalue), "x": f32_list(x), "y": f32_list(y)}


def ks_fixture(rng):
    cases = []
    cases.append(ks_case("tiny_ties_5_7", [1, 2, 2, 3, 5], [2, 2, 3, 4, 4, 6, 7]))
    cases.append(ks_case("equal_20_20_shift", rng.normal(0, 1, 20), rng.normal(0.8, 1, 20)))
    cases.append(ks_case("unequal_50_80_shift", rng.normal(0, 1, 50), rng.normal(0.3, 1, 80)))
    cases.append(ks_case("ties_200_150", np.round(rng.normal(0, 1, 200), 1),
                         np.round(rng.normal(0.1, 1.2, 150), 1)))
    same = rng.normal(5, 2, 100)
    cases.append(ks_case("identical_100", same, same.copy()))
    cases.append(ks_case("disjoint_30_40", rng.uniform(0, 1, 30), rng.uniform(2, 3, 40)))
    cases.append(ks_case("equal_1000_1000_small_shift", rng.normal(0, 1, 1000), rng.normal(0.1, 1, 1000)))
    cases.append(ks_case("coprime_997_1009_null", rng.normal(0, 1, 997), rng.normal(0, 1, 1009)))
    cases.append(ks_case("exact_boundary_3000_10000", np.round(rng.normal(0, 1, 3000), 3),
                         np.round(rng.normal(0.05, 1, 10000), 3)))
    cases.append(ks_case("asymp_3000_12000_shift", np.round(rng.normal(0, 1, 3000), 3),
                         np.round(rng.normal(0.15, 1, 12000), 3)))
    cases.append(ks_case("asymp_3000_12000_null", np.round(rng.normal(0, 1, 3000), 3),
                         np.round(rng.normal(0, 1, 12000), 3)))
    cases.append(ks_case("asymp_100_11000_small_en", rng.exponential(1, 100), rng.exponential(1.2, 11000)))
    big = np.round(rng.normal(0, 1, 10500), 3)
    cases.append(ks_case("asymp_identical_10500", big, big.copy()))
    cases.append(ks_case("asymp_disjoint_200_10200", rng.uniform(5, 6, 200), rng.uniform(0, 1, 10200)))
    for c in cases:
        assert c["method"] == ("exact" if max(len(c["x"]), len(c["y"])) <= 10000 else "asymp")
    write("ks_2samp.json", {"cases": cases})


def kstwo_fixture():
    """scipy.stats.kstwo.sf(d, n): the distribution ks_2samp's asymptotic path uses,
    sampled so that every branch of scipy's kolmogn is exercised."""
    points = []
    for n in [1, 2, 5, 10, 37, 99, 140, 141, 400, 2400, 10000, 60000, 250000]:
        ds = set()
        for t in [0.3, 0.6, 0.9, 1.0]:          # Ruben-Gambino n*d <= 1
            ds.add(t / n)
        for nx2 in [0.05, 0.3, 0.7, 0.75, 1.0, 1.5, 2.0, 2.1, 2.3, 3.0, 3.9, 4.1, 6.0, 10.0, 17.0, 19.0, 100.0, 360.0]:
            ds.add(np.sqrt(nx2 / n))
        ds.update([0.45, 0.5, 0.7, 0.95, 1.0 - 1.5 / n, 1.0])
        for d in sorted(ds):
            if 0 < d <= 1:
                points.append({"n": n, "d": float(d), "sf": float(stats.kstwo.sf(d, n))})
    write("kstwo_sf.json", {"points": points})


# -------------------------------------------------------------------------- PSI
def psi_case(name, reference, live):
    reference, live = f32(reference), f32(live)
    ref_valid = reference[~np.isnan(reference)]
    live_valid = live[~np.isnan(live)]
    levels = np.arange(1, 10) / 10.0
    edges = np.unique(np.quantile(ref_valid, levels, method="linear"))
    bins = len(edges) + 1
    ref_counts = np.bincount(np.searchsorted(edges, ref_valid, side="right"), minlength=bins)
    live_counts = np.bincount(np.searchsorted(edges, live_valid, side="right"), minlength=bins)
    ref_p = np.maximum(ref_counts / ref_counts.sum(), PSI_EPSILON)
    live_p = np.maximum(live_counts / live_counts.sum(), PSI_EPSILON)
    psi = float(np.sum((live_p - ref_p) * np.log(live_p / ref_p)))
    return {"name": name, "reference": f32_list(reference), "live": f32_list(live),
            "edges": edges.tolist(), "reference_counts": ref_counts.tolist(),
            "live_counts": live_counts.tolist(), "psi": psi}


def psi_fixture(rng):
    cases = []
    cases.append(psi_case("normal_vs_same", rng.normal(0, 1, 5000), rng.normal(0, 1, 2000)))
    cases.append(psi_case("normal_vs_shifted", rng.normal(0, 1, 5000), rng.normal(0.5, 1, 2000)))
    cases.append(psi_case("normal_vs_wider", rng.normal(0, 1, 5000), rng.normal(0, 2, 2000)))
    cases.append(psi_case("live_empty_bins", rng.normal(0, 1, 3000), rng.uniform(3, 4, 500)))
    cases.append(psi_case("ties_collapse_edges", rng.poisson(1.0, 4000), rng.poisson(1.5, 1000)))
    cases.append(psi_case("constant_reference", np.full(1000, 7.0), np.r_[np.full(900, 7.0), np.full(100, 6.0)]))
    cases.append(psi_case("constant_both", np.full(800, 2.5), np.full(300, 2.5)))
    cases.append(psi_case("small_reference_interpolated", rng.normal(10, 3, 23), rng.normal(11, 3, 400)))
    with_nan = rng.normal(0, 1, 2000)
    with_nan[::10] = np.nan
    live_nan = rng.normal(0.2, 1, 700)
    live_nan[::7] = np.nan
    cases.append(psi_case("nan_values_excluded", with_nan, live_nan))
    write("psi.json", {"epsilon": PSI_EPSILON, "cases": cases})


# ------------------------------------------------------------ multiple testing
def bh(p):
    p = np.asarray(p, dtype=np.float64)
    if hasattr(stats, "false_discovery_control"):
        return stats.false_discovery_control(p, method="bh")
    m = len(p)
    order = np.argsort(p, kind="mergesort")
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.clip(ranked, 0, 1)
    return out


def multiple_testing_fixture(rng):
    cases = []
    sets = [
        [0.01],
        [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216],
        [0.04, 0.04, 0.04, 0.5, 1.0],
        [1e-12, 0.3, 0.9, 0.0049, 0.011, 0.2],
        rng.uniform(0, 0.2, 13).tolist(),
        [0.9, 0.8, 0.95, 0.99],
    ]
    for i, p in enumerate(sets):
        p = np.asarray(p, dtype=np.float64)
        cases.append({"name": f"set{i}", "p": p.tolist(),
                      "bonferroni": np.minimum(p * len(p), 1.0).tolist(),
                      "benjamini_hochberg": bh(p).tolist()})
    write("multiple_testing.json", {
        "bh_source": "scipy.stats.false_discovery_control" if hasattr(stats, "false_discovery_control") else "numpy",
        "cases": cases})


# ---------------------------------------------------- evaluator, end to end
def evaluator_fixture(rng):
    """A three-feature model with one output; the live window drifts on feature b
    and on the output. Expected per-column PSI and KS, and BH-adjusted p-values."""
    n_ref, n_live = 2000, 600
    ref = np.column_stack([rng.normal(0, 1, n_ref), rng.uniform(0, 10, n_ref),
                           np.round(rng.exponential(2, n_ref), 1)])
    live = np.column_stack([rng.normal(0, 1, n_live), rng.uniform(2, 12, n_live),
                            np.round(rng.exponential(2, n_live), 1)])
    ref_out = 1 / (1 + np.exp(-(ref[:, 0] + 0.2 * ref[:, 1] - 1)))
    live_out = 1 / (1 + np.exp(-(live[:, 0] + 0.2 * live[:, 1] - 1)))
    ref, live = f32(ref), f32(live)
    ref_out, live_out = f32(ref_out), f32(live_out)
    columns = []
    pvals = []
    for j, name in enumerate(["a", "b", "c", "score"]):
        r = ref[:, j] if j < 3 else ref_out
        l = live[:, j] if j < 3 else live_out
        case = psi_case(name, r, l)
        ks = stats.ks_2samp(r, l)
        pvals.append(float(ks.pvalue))
        columns.append({"name": name, "psi": case["psi"], "edges": case["edges"],
                        "statistic": float(ks.statistic), "pvalue": float(ks.pvalue)})
    adjusted = bh(pvals)
    for c, a in zip(columns, adjusted):
        c["adjusted_pvalue"] = float(a)
    write("evaluator.json", {
        "features": ["a", "b", "c"], "outputs": ["score"],
        "reference_rows": [f32_list(row) for row in ref], "reference_outputs": f32_list(ref_out),
        "live_rows": [f32_list(row) for row in live], "live_outputs": f32_list(live_out),
        "columns": columns})


def main():
    rng = np.random.default_rng(20240611)
    ks_fixture(rng)
    kstwo_fixture()
    psi_fixture(rng)
    multiple_testing_fixture(rng)
    evaluator_fixture(rng)


if __name__ == "__main__":
    main()
