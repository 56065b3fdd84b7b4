#!/usr/bin/python3
"""Writes canary_reference.json: the prediction PSI and KS figures CanaryAnalyzerTests compares against.

Run with Debian's interpreter and packages (python3-numpy, python3-scipy; scripts/install-deps.sh
installs them):

    /usr/bin/python3 tests/Serving.Core.Tests/Rollouts/Fixtures/make_canary_reference.py

No randomness: the samples are the fixed grids of RolloutFixtures.cs (Uniform, UniformNudged, Shifted),
1,000 values each, computed in float64 and rounded to float32 exactly as C# does, so re-running
reproduces the committed JSON on the same numpy/scipy versions (recorded in the file).

Conventions (those of src/Serving.Core/Rollouts/CanaryAnalyzer.cs, with the stable window as reference):
  * PSI bin edges: numpy.quantile(stable, [0.1, ..., 0.9], method='linear'), duplicate edges removed;
    bin of x = numpy.searchsorted(edges, x, side='right').
  * PSI = sum((canary - stable) * ln(canary / stable)) over bin proportions floored at 1e-4.
  * KS: scipy.stats.ks_2samp(stable, canary), two-sided, method 'auto'.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

PSI_EPSILON = 1e-4
SAMPLES = 1000
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "canary_reference.json")


def grid(f):
    return np.array([f(i) for i in range(SAMPLES)], dtype=np.float64).astype(np.float32).astype(np.float64)


UNIFORM = grid(lambda i: (i + 0.5) / 1000)
UNIFORM_NUDGED = grid(lambda i: (i + 0.25) / 1000)
SHIFTED = grid(lambda i: 0.3 + 0.7 * (i + 0.5) / 1000)


def psi(stable, canary):
    edges = np.unique(np.quantile(stable, np.arange(1, 10) / 10, method="linear"))
    s = np.bincount(np.searchsorted(edges, stable, side="right"), minlength=len(edges) + 1) / len(stable)
    c = np.bincount(np.searchsorted(edges, canary, side="right"), minlength=len(edges) + 1) / len(canary)
    s = np.maximum(s, PSI_EPSILON)
    c = np.maximum(c, PSI_EPSILON)
    return float(np.sum((c - s) * np.log(c / s)))


def case(canary):
    ks = stats.ks_2samp(UNIFORM, canary)
    return {"psi": psi(UNIFORM, canary), "ks_statistic": float(ks.statistic), "ks_p_value": float(ks.pvalue)}


def main():
    result = {
        "generator": "make_canary_reference.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "stable": "Uniform",
        "cases": {"UniformNudged": case(UNIFORM_NUDGED), "Shifted": case(SHIFTED)},
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
