#!/usr/bin/python3
"""Build the Serving model repository (models/) and the C# test fixtures, reproducibly.

Run from anywhere:

    /usr/bin/python3 models/make_models.py [--seed 20261122] [--code-commit SHA]

Needs Debian's python3-numpy, python3-scipy and python3-onnx (not PyTorch, not onnxruntime).
Everything is seeded and every timestamp is a constant, so two runs on the same commit write
byte-identical files. BLAS is pinned to one thread before numpy loads so that matrix products
sum in a fixed order.

What it writes (paths relative to the repository root):

    models/credit-risk/model.json
    models/credit-risk/1/{model.onnx,metadata.json,reference.csv}   logistic regression
    models/credit-risk/2/{model.onnx,metadata.json,reference.csv}   MLP 12-32-16-1
    models/image-classifier/model.json
    models/image-classifier/1/{model.onnx,metadata.json}            small CNN, random weights
    tests/fixtures/credit-risk-expected.json
    tests/fixtures/image-classifier-expected.json

Synthetic loan data (the generating process is known, so model quality can be judged against the
oracle). Feature order is the column order of the `features` input:

    age                            round(N(41, 12)) clipped to [21, 75]
    annual_income                  round(exp(N(ln 52000 + 0.012 (age - 41), 0.5))) clipped to [12000, 600000]
    loan_amount                    annual_income * exp(N(ln 0.25, 0.6)), rounded to 100, clipped to [1000, 150000]
    debt_to_income                 0.9 * Beta(2.2, 5.5), 4 decimals
    credit_utilization             Beta(1.6, 3.0) + 0.3 (debt_to_income - 0.25) clipped to [0, 1], 4 decimals
    num_open_accounts              Poisson(2 + 0.25 credit_history_years) clipped to [0, 40]
    num_delinquencies_2y           Poisson(0.15 + 0.8 credit_utilization^2)
    months_since_last_delinquency  uniform int in [0, 24) if num_delinquencies_2y > 0, else with
                                   probability 0.3 uniform int in [24, 120), else 120 (the cap: none
                                   in the last 10 years)
    credit_history_years           (age - 18) * Beta(3, 2), 2 decimals
    years_at_employer              min(age - 18, Exp(mean 6)), 2 decimals
    interest_rate                  6 + 8 util + 1.5 delinquencies + 0.04 (term - 36) + N(0, 2), clipped
                                   to [3.5, 29.99], 2 decimals
    loan_term_months               one of 12, 24, 36, 48, 60 with probabilities .10 .15 .40 .15 .20

(age is drawn first, then income, loan amount, term, debt_to_income, credit_history_years,
years_at_employer, num_open_accounts, credit_utilization, delinquencies, months since, interest rate.)

default ~ Bernoulli(sigmoid(z)) with

    z = -3.2 + 3.0 dti + 6.0 max(0, util - 0.6) + 4.0 dti * util + 0.45 min(delinquencies, 4)
        + 2.0 exp(-months_since_last_delinquency / 9) - 0.7 ln(income / 50000)
        + 0.9 ln(1 + 10 loan / income) + 0.003 (age - 45)^2 - 1.2 (1 - exp(-years_at_employer / 2))
        + 0.06 (interest_rate - 12) + 0.4 [term = 60 and dti > 0.35] - 0.3 ln(1 + credit_history_years)
        + 1.0 [num_open_accounts > 12]

(about 20% defaults). The hinges, the interaction, the log-ratios and the U-shaped age term are what
a logistic regression over standardized raw features cannot represent and the MLP can.

Models: every graph is opset 17, IR version 8. The credit-risk graphs take `features` FP32 [-1, 12]
and return `probability` FP32 [-1, 1]; standardization (Sub mean, Mul 1/std) is the first two nodes
of the graph, so clients send raw values. Expected outputs in the fixtures are computed by numpy in
float64 from the float32 weights stored in the graphs, independently of ONNX Runtime.
"""

import os

# Must precede the numpy import: one BLAS thread means a fixed summation order, hence
# byte-identical weights from run to run.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import hashlib
import json
import subprocess
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from scipy import optimize, stats

OPSET = 17
IR_VERSION = 8
PRODUCER = "serving-make_models"

FEATURES = [
    "age",
    "annual_income",
    "loan_amount",
    "debt_to_income",
    "credit_utilization",
    "num_open_accounts",
    "num_delinquencies_2y",
    "months_since_last_delinquency",
    "credit_history_years",
    "years_at_employer",
    "interest_rate",
    "loan_term_months",
]
# Printf formats that reproduce the generated values exactly (they are rounded at generation).
FEATURE_FORMATS = ["%.0f", "%.0f", "%.0f", "%.4f", "%.4f", "%.0f", "%.0f", "%.0f", "%.2f", "%.2f", "%.2f", "%.0f"]

TRAIN_ROWS = 50_000
TEST_ROWS = 20_000
REFERENCE_ROWS = 2_000
INTERCEPT = -3.2

# Fixed creation times: wall-clock time would break byte-identical regeneration.
CREATED = {
    ("credit-risk", 1): "2026-11-20T09:00:00Z",
    ("credit-risk", 2): "2026-11-21T09:00:00Z",
    ("image-classifier", 1): "2026-11-21T12:00:00Z",
}

REPO_ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

def generate_applicants(rng, n):
    """Draws n applicants; returns float64 [n, 12] already rounded to each feature's precision."""
    age = np.clip(np.round(rng.normal(41, 12, n)), 21, 75)
    income = np.clip(np.round(np.exp(rng.normal(np.log(52000) + 0.012 * (age - 41), 0.5))), 12000, 600000)
    loan = np.clip(np.round(income * np.exp(rng.normal(np.log(0.25), 0.6, n)), -2), 1000, 150000)
    term = rng.choice(np.array([12.0, 24.0, 36.0, 48.0, 60.0]), n, p=[0.10, 0.15, 0.40, 0.15, 0.20])
    dti = np.round(np.clip(rng.beta(2.2, 5.5, n) * 0.9, 0, 0.9), 4)
    history = np.round((age - 18) * rng.beta(3, 2, n), 2)
    tenure = np.round(np.minimum(age - 18, rng.exponential(6, n)), 2)
    accounts = np.clip(rng.poisson(2 + 0.25 * history), 0, 40).astype(np.float64)
    util = np.round(np.clip(rng.beta(1.6, 3.0, n) + 0.3 * (dti - 0.25), 0, 1), 4)
    delinquencies = rng.poisson(0.15 + 0.8 * util**2).astype(np.float64)
    older = rng.random(n) < 0.3
    months_since = np.where(
        delinquencies > 0, rng.integers(0, 24, n), np.where(older, rng.integers(24, 120, n), 120)
    ).astype(np.float64)
    rate = np.round(
        np.clip(6 + 8 * util + 1.5 * delinquencies + 0.04 * (term - 36) + rng.normal(0, 2.0, n), 3.5, 29.99), 2
    )
    return np.stack(
        [age, income, loan, dti, util, accounts, delinquencies, months_since, history, tenure, rate, term], axis=1
    )


def true_logit(x):
    """The known generating logit (see the module docstring)."""
    age, income, loan, dti, util, accounts, delinquencies, months_since, history, tenure, rate, term = x.T
    return (
        INTERCEPT
        + 3.0 * dti
        + 6.0 * np.maximum(0, util - 0.6)
        + 4.0 * dti * util
        + 0.45 * np.minimum(delinquencies, 4)
        + 2.0 * np.exp(-months_since / 9)
        - 0.7 * np.log(income / 50000)
        + 0.9 * np.log1p(10 * loan / income)
        + 0.003 * (age - 45) ** 2
        - 1.2 * (1 - np.exp(-tenure / 2))
        + 0.06 * (rate - 12)
        + 0.4 * ((term == 60) & (dti > 0.35))
        - 0.3 * np.log1p(history)
        + 1.0 * (accounts > 12)
    )


def sigmoid(z):
    # exp(-log(1 + e^-z)): keeps relative precision far into the negative tail (no 0.0 from rounding).
    return np.exp(-np.logaddexp(0.0, -z))


def make_dataset(seed):
    rng = np.random.default_rng(seed)
    x = generate_applicants(rng, TRAIN_ROWS + TEST_ROWS)
    p = sigmoid(true_logit(x))
    y = (rng.random(len(p)) < p).astype(np.float64)
    # The models see float32, so everything downstream (training, metrics, fingerprints) uses the
    # float32 values, widened back to float64 for arithmetic.
    x32 = x.astype(np.float32)
    return {
        "x_train": x32[:TRAIN_ROWS],
        "y_train": y[:TRAIN_ROWS],
        "x_test": x32[TRAIN_ROWS:],
        "y_test": y[TRAIN_ROWS:],
        "p_test_true": p[TRAIN_ROWS:],
        "x_train_decimal": x[:TRAIN_ROWS],
        "x_test_decimal": x[TRAIN_ROWS:],
    }


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------

def auc(y, p):
    ranks = stats.rankdata(p)
    positives = y == 1
    n_pos = positives.sum()
    n_neg = len(y) - n_pos
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def log_loss(y, p):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def metrics(y, p):
    return {
        "auc": round(auc(y, p), 4),
        "accuracy": round(float(np.mean((p >= 0.5) == (y == 1))), 4),
        "log_loss": round(log_loss(y, p), 4),
    }


# ---------------------------------------------------------------------------------------------
# Credit-risk models: weights as float32, forward passes in float64 from those weights
# ---------------------------------------------------------------------------------------------

def standardizer(x_train):
    x = x_train.astype(np.float64)
    mean = x.mean(axis=0).astype(np.float32)
    std = x.std(axis=0)
    inv_std = (1.0 / np.where(std > 0, std, 1.0)).astype(np.float32)
    return mean, inv_std


def standardize(x, mean, inv_std):
    return (x.astype(np.float64) - mean.astype(np.float64)) * inv_std.astype(np.float64)


def train_logistic(x_train, y_train, mean, inv_std, l2=1e-4):
    z = standardize(x_train, mean, inv_std)
    n, f = z.shape

    def loss_and_grad(theta):
        w, b = theta[:f], theta[f]
        logits = z @ w + b
        # log(1 + e^l) - y l, computed stably.
        loss = np.mean(np.logaddexp(0.0, logits) - y_train * logits) + 0.5 * l2 * w @ w
        r = (sigmoid(logits) - y_train) / n
        return loss, np.concatenate([z.T @ r + l2 * w, [r.sum()]])

    result = optimize.minimize(loss_and_grad, np.zeros(f + 1), jac=True, method="L-BFGS-B",
                               options={"maxiter": 1000, "gtol": 1e-9})
    return {
        "mean": mean,
        "inv_std": inv_std,
        "W": result.x[:f].reshape(f, 1).astype(np.float32),
        "b": result.x[f:].astype(np.float32),
    }


def predict_logistic(m, x):
    z = standardize(x, m["mean"], m["inv_std"])
    return sigmoid(z @ m["W"].astype(np.float64) + m["b"].astype(np.float64))


MLP_LAYERS = [12, 32, 16, 1]


def train_mlp(x_train, y_train, mean, inv_std, seed, epochs=60, batch=256, lr=2e-3, l2=1e-5):
    """Adam on binary cross-entropy; He-initialised ReLU layers; float64 throughout, seeded."""
    rng = np.random.default_rng(seed)
    z = standardize(x_train, mean, inv_std)
    y = y_train.reshape(-1, 1)
    params = []
    for fan_in, fan_out in zip(MLP_LAYERS[:-1], MLP_LAYERS[1:]):
        params.append(rng.normal(0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)))
        params.append(np.zeros(fan_out))
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    step = 0
    n = len(z)
    for epoch in range(epochs):
        order = rng.permutation(n)
        # Step decay in the last third settles the weights.
        rate = lr if epoch < 2 * epochs // 3 else lr * 0.2
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            a0 = z[idx]
            h1 = a0 @ params[0] + params[1]
            a1 = np.maximum(h1, 0)
            h2 = a1 @ params[2] + params[3]
            a2 = np.maximum(h2, 0)
            out = sigmoid(a2 @ params[4] + params[5])
            d3 = (out - y[idx]) / len(idx)
            g4 = a2.T @ d3
            g5 = d3.sum(0)
            d2 = (d3 @ params[4].T) * (h2 > 0)
            g2 = a1.T @ d2
            g3 = d2.sum(0)
            d1 = (d2 @ params[2].T) * (h1 > 0)
            g0 = a0.T @ d1
            g1 = d1.sum(0)
            grads = [g0 + l2 * params[0], g1, g2 + l2 * params[2], g3, g4 + l2 * params[4], g5]
            step += 1
            for i, g in enumerate(grads):
                m1[i] = beta1 * m1[i] + (1 - beta1) * g
                m2[i] = beta2 * m2[i] + (1 - beta2) * g * g
                mhat = m1[i] / (1 - beta1**step)
                vhat = m2[i] / (1 - beta2**step)
                params[i] = params[i] - rate * mhat / (np.sqrt(vhat) + eps)
    return {
        "mean": mean,
        "inv_std": inv_std,
        "W1": params[0].astype(np.float32), "b1": params[1].astype(np.float32),
        "W2": params[2].astype(np.float32), "b2": params[3].astype(np.float32),
        "W3": params[4].astype(np.float32), "b3": params[5].astype(np.float32),
    }


def predict_mlp(m, x):
    f64 = lambda k: m[k].astype(np.float64)  # noqa: E731
    a = standardize(x, m["mean"], m["inv_std"])
    a = np.maximum(a @ f64("W1") + f64("b1"), 0)
    a = np.maximum(a @ f64("W2") + f64("b2"), 0)
    return sigmoid(a @ f64("W3") + f64("b3"))


# ---------------------------------------------------------------------------------------------
# ONNX graphs
# ---------------------------------------------------------------------------------------------

def init(name, array):
    return numpy_helper.from_array(np.ascontiguousarray(array), name)


def finish_model(graph, doc):
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name=PRODUCER,
        producer_version="1",
        doc_string=doc,
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def standardize_nodes():
    return [
        helper.make_node("Sub", ["features", "mean"], ["centered"], name="center"),
        helper.make_node("Mul", ["centered", "inv_std"], ["standardized"], name="scale"),
    ]


def credit_io():
    inputs = [helper.make_tensor_value_info("features", TensorProto.FLOAT, [-1, len(FEATURES)])]
    outputs = [helper.make_tensor_value_info("probability", TensorProto.FLOAT, [-1, 1])]
    return inputs, outputs


def logistic_onnx(m):
    inputs, outputs = credit_io()
    nodes = standardize_nodes() + [
        helper.make_node("Gemm", ["standardized", "W", "b"], ["logit"], name="linear"),
        helper.make_node("Sigmoid", ["logit"], ["probability"], name="sigmoid"),
    ]
    initializers = [init(k, m[k]) for k in ("mean", "inv_std", "W", "b")]
    graph = helper.make_graph(nodes, "credit_risk_logistic", inputs, outputs, initializers)
    return finish_model(graph, "Probability of default: logistic regression over 12 standardized features.")


def mlp_onnx(m):
    inputs, outputs = credit_io()
    nodes = standardize_nodes() + [
        helper.make_node("Gemm", ["standardized", "W1", "b1"], ["h1"], name="dense1"),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("Gemm", ["a1", "W2", "b2"], ["h2"], name="dense2"),
        helper.make_node("Relu", ["h2"], ["a2"], name="relu2"),
        helper.make_node("Gemm", ["a2", "W3", "b3"], ["logit"], name="dense3"),
        helper.make_node("Sigmoid", ["logit"], ["probability"], name="sigmoid"),
    ]
    initializers = [init(k, m[k]) for k in ("mean", "inv_std", "W1", "b1", "W2", "b2", "W3", "b3")]
    graph = helper.make_graph(nodes, "credit_risk_mlp", inputs, outputs, initializers)
    return finish_model(graph, "Probability of default: MLP 12-32-16-1 (ReLU, sigmoid) over 12 standardized features.")


# Image classifier: (out_channels, pool after) per 3x3 conv (pad 1, stride 1).
CNN_CONVS = [(32, True), (64, True), (128, True), (128, False)]
CNN_INPUT = (3, 64, 64)
CNN_CLASSES = 10


def make_cnn_weights(seed):
    rng = np.random.default_rng(seed)
    weights = {}
    in_ch = CNN_INPUT[0]
    for i, (out_ch, _) in enumerate(CNN_CONVS):
        fan_in = in_ch * 9
        weights[f"conv{i + 1}_w"] = rng.normal(0, np.sqrt(2.0 / fan_in), (out_ch, in_ch, 3, 3)).astype(np.float32)
        weights[f"conv{i + 1}_b"] = rng.normal(0, 0.01, out_ch).astype(np.float32)
        in_ch = out_ch
    weights["fc_w"] = rng.normal(0, np.sqrt(2.0 / in_ch), (in_ch, CNN_CLASSES)).astype(np.float32)
    weights["fc_b"] = rng.normal(0, 0.01, CNN_CLASSES).astype(np.float32)
    return weights


def cnn_flops():
    """Multiply-adds x 2 of the convolutions and the dense layer, per image."""
    flops = 0
    in_ch, h, w = CNN_INPUT
    for out_ch, pool in CNN_CONVS:
        flops += 2 * h * w * out_ch * in_ch * 9
        in_ch = out_ch
        if pool:
            h, w = h // 2, w // 2
    flops += 2 * in_ch * CNN_CLASSES
    return flops


def cnn_onnx(weights):
    inputs = [helper.make_tensor_value_info("image", TensorProto.FLOAT, [-1, *CNN_INPUT])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [-1, CNN_CLASSES])]
    nodes = []
    current = "image"
    for i, (_, pool) in enumerate(CNN_CONVS):
        k = i + 1
        nodes.append(helper.make_node("Conv", [current, f"conv{k}_w", f"conv{k}_b"], [f"conv{k}"], name=f"conv{k}",
                                      kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]))
        nodes.append(helper.make_node("Relu", [f"conv{k}"], [f"relu{k}"], name=f"relu{k}"))
        current = f"relu{k}"
        if pool:
            nodes.append(helper.make_node("MaxPool", [current], [f"pool{k}"], name=f"pool{k}",
                                          kernel_shape=[2, 2], strides=[2, 2]))
            current = f"pool{k}"
    nodes += [
        helper.make_node("GlobalAveragePool", [current], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="fc"),
    ]
    initializers = [init(k, v) for k, v in weights.items()]
    graph = helper.make_graph(nodes, "image_classifier_cnn", inputs, outputs, initializers)
    return finish_model(graph, "Load-test CNN: 4x (Conv3x3+ReLU), 3 MaxPools, GlobalAveragePool, Gemm. Random He-initialised weights.")


def conv3x3_same(x, w, b):
    """x [N, C, H, W], w [O, C, 3, 3]: plain im2col convolution with zero padding 1, float64."""
    n, c, h, wd = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))  # N, C, H, W, 3, 3
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n, h, wd, c * 9)
    out = cols @ w.reshape(w.shape[0], -1).T + b  # N, H, W, O
    return out.transpose(0, 3, 1, 2)


def maxpool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def predict_cnn(weights, images):
    a = images.astype(np.float64)
    for i, (_, pool) in enumerate(CNN_CONVS):
        k = i + 1
        a = np.maximum(conv3x3_same(a, weights[f"conv{k}_w"].astype(np.float64),
                                    weights[f"conv{k}_b"].astype(np.float64)), 0)
        if pool:
            a = maxpool2(a)
    a = a.mean(axis=(2, 3))
    return a @ weights["fc_w"].astype(np.float64) + weights["fc_b"].astype(np.float64)


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

def write_bytes(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_json(path, obj):
    write_bytes(path, (json.dumps(obj, indent=2) + "\n").encode("utf-8"))


def write_fixture(path, obj):
    """Top-level keys one per line, each value compact (a list of rows: one row per line)."""
    parts = []
    for key, value in obj.items():
        if isinstance(value, list) and value and isinstance(value[0], list):
            rows = ",\n    ".join(json.dumps(row, separators=(",", ":")) for row in value)
            text = "[\n    " + rows + "\n  ]"
        else:
            text = json.dumps(value, separators=(", ", ": "))
        parts.append(f"  {json.dumps(key)}: {text}")
    write_bytes(path, ("{\n" + ",\n".join(parts) + "\n}\n").encode("utf-8"))


def write_model(path, model):
    write_bytes(path, model.SerializeToString())


def write_reference(path, x_decimal, probability):
    lines = [",".join(FEATURES + ["probability"])]
    for row, p in zip(x_decimal, probability):
        cells = [fmt % v for fmt, v in zip(FEATURE_FORMATS, row)]
        cells.append("%.6g" % p)
        lines.append(",".join(cells))
    write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))


def script_commit():
    """Short hash of the last commit that touched this script, '+dirty' if it has changed since.

    Regenerating the files must not change them, so HEAD (which moves when they are committed) is
    the wrong key; the commit of the generating code is the right one.
    """
    here = Path(__file__).resolve()
    try:
        full = subprocess.run(["git", "log", "-1", "--format=%H", "--", here.name], cwd=here.parent,
                              capture_output=True, text=True, check=True).stdout.strip()
        if not full:
            return "unknown"
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", here.name], cwd=here.parent).returncode != 0
        return full[:7] + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def fingerprint(array):
    return "sha256:" + hashlib.sha256(np.ascontiguousarray(array, dtype="<f4").tobytes()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--code-commit", default=None,
                        help="value for metadata code_commit (default: last git commit of this script)")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root to write under")
    args = parser.parse_args()
    seed = args.seed
    code_commit = args.code_commit or script_commit()
    models_dir = args.root / "models"
    fixtures_dir = args.root / "tests" / "fixtures"

    data = make_dataset(seed)
    x_train, y_train, x_test, y_test = data["x_train"], data["y_train"], data["x_test"], data["y_test"]
    train_fp = fingerprint(x_train)
    print(f"train default rate {y_train.mean():.4f}, test {y_test.mean():.4f}")
    oracle = metrics(y_test, data["p_test_true"])
    print("oracle (true probabilities) on held-out:", oracle)

    mean, inv_std = standardizer(x_train)
    v1 = train_logistic(x_train, y_train, mean, inv_std)
    v2 = train_mlp(x_train, y_train, mean, inv_std, seed + 2)
    predictors = {1: lambda x: predict_logistic(v1, x), 2: lambda x: predict_mlp(v2, x)}
    graphs = {1: logistic_onnx(v1), 2: mlp_onnx(v2)}
    descriptions = {
        1: "Probability of default, logistic regression over 12 applicant features (standardization in the graph)",
        2: "Probability of default, MLP 12-32-16-1 (ReLU, sigmoid) over 12 applicant features (standardization in the graph)",
    }
    architecture = {1: "logistic-regression", 2: "mlp-12-32-16-1"}

    ref_rng = np.random.default_rng(seed + 3)
    ref_idx = np.sort(ref_rng.choice(TRAIN_ROWS, REFERENCE_ROWS, replace=False))

    write_json(models_dir / "credit-risk" / "model.json",
               {"max_batch_size": 64, "max_queue_delay_us": 200, "max_queue_size": 256})
    for version in (1, 2):
        held_out = metrics(y_test, predictors[version](x_test).ravel())
        print(f"credit-risk v{version} held-out:", held_out)
        vdir = models_dir / "credit-risk" / str(version)
        write_model(vdir / "model.onnx", graphs[version])
        write_json(vdir / "metadata.json", {
            "description": descriptions[version],
            "features": FEATURES,
            "feature_input": "features",
            "prediction_output": "probability",
            "metrics": held_out,
            "training_data_fingerprint": train_fp,
            "code_commit": code_commit,
            "created": CREATED[("credit-risk", version)],
            "tags": {"owner": "risk-team", "framework": "numpy", "architecture": architecture[version],
                     "dataset": "synthetic-loans"},
            "training_rows": TRAIN_ROWS,
            "held_out_rows": TEST_ROWS,
            "seed": seed,
        })
        write_reference(vdir / "reference.csv", data["x_train_decimal"][ref_idx],
                        predictors[version](x_train[ref_idx]).ravel())

    # Fixture: 28 held-out rows plus edge rows (zeros, training minima and maxima, far out of range).
    fixture_rng = np.random.default_rng(seed + 4)
    rows = data["x_test_decimal"][np.sort(fixture_rng.choice(TEST_ROWS, 28, replace=False))]
    edge = np.stack([
        np.zeros(len(FEATURES)),
        data["x_train_decimal"].min(axis=0),
        data["x_train_decimal"].max(axis=0),
        np.array([18, 5_000_000, 1_000_000, 3.0, 1.0, 80, 12, 0, 0, 0, 45.0, 360]),
    ])
    fixture_x = np.concatenate([rows, edge])
    fixture_x32 = fixture_x.astype(np.float32)
    write_fixture(fixtures_dir / "credit-risk-expected.json", {
        "description": "credit-risk inputs and probabilities computed by numpy (float64) from the float32 "
                       "weights in the ONNX graphs; rows 0-27 held-out, 28-31 edge values",
        "features": FEATURES,
        # Absolute, not relative: ONNX Runtime's float32 Sigmoid returns exactly 0 for the last row
        # of v1 (logit about -41.7), where the true probability is 7.6e-19. Observed max |ORT - numpy|
        # with ORT 1.31.1 CPU: 9e-8.
        "abs_tolerance": 1e-6,
        "inputs": [[float(v) for v in row] for row in fixture_x],
        "v1": [float(p) for p in predict_logistic(v1, fixture_x32).ravel()],
        "v2": [float(p) for p in predict_mlp(v2, fixture_x32).ravel()],
    })

    # Image classifier.
    cnn = make_cnn_weights(seed + 5)
    flops = cnn_flops()
    write_json(models_dir / "image-classifier" / "model.json",
               {"max_batch_size": 16, "max_queue_delay_us": 200, "max_queue_size": 256})
    cdir = models_dir / "image-classifier" / "1"
    write_model(cdir / "model.onnx", cnn_onnx(cnn))
    write_json(cdir / "metadata.json", {
        "description": "Load-test CNN over 3x64x64 images, 10 classes; random He-initialised weights "
                       f"(not trained), about {flops / 1e6:.0f} MFLOPs per image",
        "code_commit": code_commit,
        "created": CREATED[("image-classifier", 1)],
        "tags": {"owner": "platform-team", "framework": "numpy", "purpose": "load-test",
                 "architecture": "cnn-4conv"},
        "flops_per_image": flops,
        "seed": seed,
    })
    image_rng = np.random.default_rng(seed + 6)
    images = np.round(image_rng.random((2, *CNN_INPUT)), 4)
    logits = predict_cnn(cnn, images.astype(np.float32))
    write_fixture(fixtures_dir / "image-classifier-expected.json", {
        "description": "two images (NCHW, flattened row-major, 4 decimals) and logits computed by numpy "
                       "(float64) from the float32 weights in the ONNX graph",
        "shape": [2, *CNN_INPUT],
        # Observed max relative error of ORT 1.31.1 CPU against these values: 2e-6 (float32 sums).
        "rel_tolerance": 1e-4,
        "inputs": [[float(v) for v in image.ravel()] for image in images],
        "logits": [[float(v) for v in row] for row in logits],
    })
    print(f"image-classifier: {flops / 1e6:.1f} MFLOPs per image")
    print(f"code_commit: {code_commit}")


if __name__ == "__main__":
    main()
