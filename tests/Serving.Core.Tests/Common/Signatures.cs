using Serving.Core.Protocol;

namespace Serving.Core.Tests.Common;

/// <summary>Signatures shaped like the models in models/ and tests/fixtures/unseen-repo.</summary>
internal static class Signatures
{
    /// <summary>credit-risk: features FP32 [-1, 12] to probability FP32 [-1, 1].</summary>
    public static ModelSignature CreditRisk { get; } = new(
        [new TensorSpec("features", TensorDataType.Fp32, [-1, 12])],
        [new TensorSpec("probability", TensorDataType.Fp32, [-1, 1])]);

    /// <summary>ranker: two inputs and two outputs of different types.</summary>
    public static ModelSignature Ranker { get; } = new(
        [new TensorSpec("query", TensorDataType.Fp32, [-1, 4]), new TensorSpec("doc_ids", TensorDataType.Int64, [-1, 3])],
        [new TensorSpec("score", TensorDataType.Fp32, [-1, 1]), new TensorSpec("top_id", TensorDataType.Int64, [-1, 1])]);

    /// <summary>fixed: x FP32 [1, 5] to y FP32 [1, 5].</summary>
    public static ModelSignature Fixed { get; } = new(
        [new TensorSpec("x", TensorDataType.Fp32, [1, 5])],
        [new TensorSpec("y", TensorDataType.Fp32, [1, 5])]);

    /// <summary>One input of <paramref name="type"/> shaped [-1, 2], like one pair of the dtypes model.</summary>
    public static ModelSignature Single(TensorDataType type) => new(
        [new TensorSpec("in", type, [-1, 2])],
        [new TensorSpec("out", type, [-1, 2])]);
}
