#!/usr/bin/env python3
"""Writes a ResNet-50 image classifier with seeded random weights as ONNX, for scripts/gpu-check.sh.

Input `image` FP32 [batch, 3, 224, 224], output `logits` FP32 [batch, 1000], batch dynamic (so the
gateway batches it). With torch and torchvision present it exports torchvision's resnet50(weights=None)
(seeded); with --builder onnx, or when the export fails, it writes the same architecture node by node
with onnx.helper and numpy (batch norm at its initial statistics folded away), so the check does not
depend on one torch release's exporter.

  gpu_model.py OUT.onnx [--seed 20261201] [--builder torch|onnx]
"""
import argparse
import sys


def export_torch(path, seed):
    import torch
    import torchvision
    torch.manual_seed(seed)
    model = torchvision.models.resnet50(weights=None).eval()
    example = torch.randn(2, 3, 224, 224)
    names = {"input_names": ["image"], "output_names": ["logits"]}
    try:
        torch.onnx.export(model, (example,), path, opset_version=17, dynamo=False,
                          dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, **names)
    except (TypeError, RuntimeError, ImportError, AttributeError) as legacy_error:
        print("torch's TorchScript exporter failed (%s); using the dynamo exporter" % legacy_error, file=sys.stderr)
        batch = torch.export.Dim("batch", min=1, max=4096)
        torch.onnx.export(model, (example,), path, dynamo=True, external_data=False,
                          dynamic_shapes={"x": {0: batch}}, **names)
    return "torchvision %s resnet50(weights=None), torch %s" % (torchvision.__version__, torch.__version__)


def build_onnx(path, seed):
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    nodes, weights = [], []
    counter = [0]

    def name(prefix):
        counter[0] += 1
        return "%s_%d" % (prefix, counter[0])

    def conv(x, cin, cout, k, stride=1, relu=True):
        w = name("w")
        b = name("b")
        std = (2.0 / (cout * k * k)) ** 0.5  # Kaiming normal, fan_out, as torchvision initialises
        weights.append(numpy_helper.from_array(rng.normal(0.0, std, (cout, cin, k, k)).astype(np.float32), w))
        weights.append(numpy_helper.from_array(np.zeros(cout, np.float32), b))
        y = name("conv")
        nodes.append(helper.make_node("Conv", [x, w, b], [y], kernel_shape=[k, k], strides=[stride, stride],
                                      pads=[k // 2] * 4))
        if not relu:
            return y
        r = name("relu")
        nodes.append(helper.make_node("Relu", [y], [r]))
        return r

    x = conv("image", 3, 64, 7, 2)
    pooled = name("pool")
    nodes.append(helper.make_node("MaxPool", [x], [pooled], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    x, cin = pooled, 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for block in range(blocks):
            s = stride if block == 0 else 1
            y = conv(x, cin, width, 1)
            y = conv(y, width, width, 3, s)
            y = conv(y, width, width * 4, 1, relu=False)
            shortcut = conv(x, cin, width * 4, 1, s, relu=False) if block == 0 else x
            added = name("add")
            nodes.append(helper.make_node("Add", [y, shortcut], [added]))
            x = name("relu")
            nodes.append(helper.make_node("Relu", [added], [x]))
            cin = width * 4
    gap = name("gap")
    nodes.append(helper.make_node("GlobalAveragePool", [x], [gap]))
    flat = name("flat")
    nodes.append(helper.make_node("Flatten", [gap], [flat], axis=1))
    bound = 1.0 / cin ** 0.5
    weights.append(numpy_helper.from_array(rng.uniform(-bound, bound, (1000, cin)).astype(np.float32), "fc_w"))
    weights.append(numpy_helper.from_array(rng.uniform(-bound, bound, 1000).astype(np.float32), "fc_b"))
    nodes.append(helper.make_node("Gemm", [flat, "fc_w", "fc_b"], ["logits"], transB=1))
    graph = helper.make_graph(
        nodes, "resnet50",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 224, 224])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1000])],
        weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return "ResNet-50 written with onnx %s (numpy weights)" % onnx.__version__


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--builder", choices=["torch", "onnx"], default="torch")
    args = parser.parse_args()
    made = None
    if args.builder == "torch":
        try:
            made = export_torch(args.path, args.seed)
        except Exception as ex:  # any exporter failure: fall back to the hand-written graph
            print("torch export failed (%s: %s); writing the graph with onnx.helper" % (type(ex).__name__, ex), file=sys.stderr)
    if made is None:
        made = build_onnx(args.path, args.seed)
    import onnx
    model = onnx.load(args.path, load_external_data=False)
    inputs = [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]) for i in model.graph.input]
    print("model: %s; inputs %s; %d parameters" % (
        made, inputs, sum(int(__import__("numpy").prod(t.dims)) for t in model.graph.initializer)))


if __name__ == "__main__":
    main()
