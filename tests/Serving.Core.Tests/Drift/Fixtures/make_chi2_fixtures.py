#!/usr/bin/python3
"""Writes chi2.json, the chi-square fixtures that Serving.Core.Tests compares against.

Run with Debian's interpreter and packages (python3-numpy, python3-scipy):

    /usr/bin/python3 tests/Serving.Core.Tests/Drift/Fixtures/make_chi2_fixtures.py

Seeded, so re-running reproduces the JSON byte for byte on the same numpy/scipy
versions (recorded in the file).

Conventions mirrored by src/Serving.Core/Drift:
  * chi2.sf(x, dof) for the distribution's upper tail.
  * Homogeneity of two count vectors: scipy.stats.chi2_contingency on the 2 x k
    table with correction=False, categories empty on both sides left out
    (scipy refuses zero expected frequencies).
  * Categorical columns: one bin per distinct reference value plus an "unseen"
    bucket for every other live value; PSI over those bins with both proportions
    floored at 1e-4.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

PSI_EPSILON = 1e-4
OUT = os.path.dirname(os.path.abspath(__file__))
META = {"numpy": np.__version__, "scipy": scipy.__version__,
        "generator": "make_chi2_fixtures.py"}


def homogeneity(a, b):
    table = np.array([a, b], dtype=np.float64)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return {"statistic": 0.0, "dof": 0, "pvalue": 1.0}
    statistic, pvalue, dof, _ = stats.chi2_contingency(table, correction=False)
    return {"statistic": float(statistic), "dof": int(dof), "pvalue": float(pvalue)}


def psi(ref_counts, live_counts):
    r = np.maximum(np.asarray(ref_counts) / np.sum(ref_counts), PSI_EPSILON)
    l = np.maximum(np.asarray(live_counts) / np.sum(live_counts), PSI_EPSILON)
    return float(np.sum((l - r) * np.log(l / r)))


def categorical_case(name, reference, live):
    reference = np.asarray(reference, dtype=np.float32)
    live = np.asarray(live, dtype=np.float32)
    categories = np.unique(reference)
    ref_counts = [int(np.sum(reference == c)) for c in categories] + [0]
    live_counts = [int(np.sum(live == c)) for c in categories]
    live_counts.append(int(len(live) - sum(live_counts)))
    return {"name": name, "categories": [float(c) for c in categories],
            "reference": [float(v) for v in reference], "live": [float(v) for v in live],
            "reference_counts": ref_counts, "live_counts": live_counts,
            "psi": psi(ref_counts, live_counts), **homogeneity(ref_counts, live_counts)}


def main():
    rng = np.random.default_rng(20261201)
    sf = []
    for dof in (1, 2, 3, 9, 20, 41):
        for x in (1e-3, 0.5, 1.0, 5.0, float(dof), 2.0 * dof + 7, 60.0, 150.0, 400.0):
            sf.append({"x": x, "dof": dof, "sf": float(stats.chi2.sf(x, dof))})

    tables = []
    tables.append({"name": "two_by_two", "a": [900, 100], "b": [420, 80], **homogeneity([900, 100], [420, 80])})
    tables.append({"name": "empty_category_dropped", "a": [10, 0, 30, 60], "b": [12, 0, 20, 70],
                   **homogeneity([10, 0, 30, 60], [12, 0, 20, 70])})
    tables.append({"name": "constant_one_to_two", "a": [5000, 0], "b": [0, 500], **homogeneity([5000, 0], [0, 500])})
    a = rng.multinomial(5000, [0.5, 0.3, 0.15, 0.05]).tolist()
    b = rng.multinomial(400, [0.5, 0.3, 0.15, 0.05]).tolist()
    tables.append({"name": "null_5000_400", "a": a, "b": b, **homogeneity(a, b)})

    cases = []
    p = [0.4, 0.3, 0.2, 0.1]
    values = np.array([0, 1, 2, 5], dtype=np.float32)
    cases.append(categorical_case("shifted_with_unseen",
                                  rng.choice(values, 3000, p=p),
                                  np.concatenate([rng.choice(values, 450, p=[0.25, 0.25, 0.3, 0.2]),
                                                  np.full(50, 3.0), np.full(10, 7.5)])))
    cases.append(categorical_case("null", rng.choice(values, 3000, p=p), rng.choice(values, 500, p=p)))
    cases.append(categorical_case("constant_one_to_two", np.ones(2000), np.full(500, 2.0)))

    with open(os.path.join(OUT, "chi2.json"), "w", encoding="utf-8") as fh:
        json.dump({"meta": META, "sf": sf, "tables": tables, "cases": cases}, fh, indent=None, separators=(",", ":"))
        fh.write("\n")


if __name__ == "__main__":
    main()
