using System.Text.Json;

namespace Serving.Testing.Common;

/// <summary>
/// The committed numpy fixtures: inputs and the outputs numpy computed for them from the models'
/// weights, independently of ONNX Runtime (models/README.md, "Test fixtures").
/// </summary>
internal static class ExpectedOutputs
{
    public static CreditRiskFixture CreditRisk { get; } = LoadCreditRisk();

    public static ImageClassifierFixture ImageClassifier { get; } = LoadImageClassifier();

    /// <summary>tests/fixtures/unseen-repo-expected.json, parsed.</summary>
    public static JsonDocument UnseenRepo { get; } = JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.Fixture("unseen-repo-expected.json")));

    private static CreditRiskFixture LoadCreditRisk()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.Fixture("credit-risk-expected.json")));
        var root = doc.RootElement;
        return new CreditRiskFixture(
            root.GetProperty("inputs").EnumerateArray().Select(static row => row.EnumerateArray().Select(static v => v.GetDouble()).ToArray()).ToArray(),
            Doubles(root.GetProperty("v1")),
            Doubles(root.GetProperty("v2")),
            root.GetProperty("abs_tolerance").GetDouble());
    }

    private static ImageClassifierFixture LoadImageClassifier()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.Fixture("image-classifier-expected.json")));
        var root = doc.RootElement;
        return new ImageClassifierFixture(
            root.GetProperty("inputs").EnumerateArray().Select(Doubles).ToArray(),
            root.GetProperty("logits").EnumerateArray().Select(Doubles).ToArray(),
            root.GetProperty("rel_tolerance").GetDouble());
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(static v => v.GetDouble()).ToArray();
}

/// <summary>credit-risk-expected.json: 32 rows of 12 features and the v1 and v2 probabilities.</summary>
internal sealed record CreditRiskFixture(double[][] Inputs, double[] V1, double[] V2, double AbsTolerance)
{
    public int Rows => Inputs.Length;

    public double[] Probabilities(int version) => version switch
    {
        1 => V1,
        2 => V2,
        _ => throw new ArgumentOutOfRangeException(nameof(version)),
    };

    /// <summary>The selected rows as FP32, row major: the bytes of a binary or raw request.</summary>
    public byte[] Float32Bytes(IReadOnlyList<int> rows)
    {
        var values = new float[rows.Count * 12];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < 12; c++)
            {
                values[r * 12 + c] = (float)Inputs[rows[r]][c];
            }
        }
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    public void AssertProbabilities(int version, IReadOnlyList<int> rows, IReadOnlyList<float> actual)
    {
        Assert.Equal(rows.Count, actual.Count);
        var expected = Probabilities(version);
        for (var i = 0; i < rows.Count; i++)
        {
            var want = expected[rows[i]];
            Assert.True(Math.Abs(actual[i] - want) <= AbsTolerance,
                $"credit-risk v{version} row {rows[i]}: got {actual[i]:R}, numpy says {want:R} (abs tolerance {AbsTolerance}).");
        }
    }
}

/// <summary>image-classifier-expected.json: two NCHW images (flattened) and their logits.</summary>
internal sealed record ImageClassifierFixture(double[][] Inputs, double[][] Logits, double RelTolerance)
{
    public byte[] Float32Bytes()
    {
        var values = Inputs.SelectMany(static image => image.Select(static v => (float)v)).ToArray();
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    public void AssertLogits(IReadOnlyList<float> actual)
    {
        var expected = Logits.SelectMany(static l => l).ToArray();
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= RelTolerance * Math.Abs(expected[i]),
                $"logit {i}: got {actual[i]:R}, numpy says {expected[i]:R} (relative tolerance {RelTolerance}).");
        }
    }
}
