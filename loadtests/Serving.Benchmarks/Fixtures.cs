using System.Buffers.Binary;
using System.Text;
using Serving.Core.Protocol;

namespace Serving.Benchmarks;

/// <summary>The credit-risk request bodies and signature the benchmarks share, and the model repository's location.</summary>
internal static class Fixtures
{
    /// <summary>The first held-out row of tests/fixtures/credit-risk-expected.json (the one the wrk scripts send).</summary>
    public static readonly float[] Row = [22.0f, 38804.0f, 14800.0f, 0.1469f, 0.6007f, 4.0f, 0.0f, 120.0f, 3.4f, 0.34f, 11.74f, 36.0f];

    /// <summary>credit-risk v2's signature as the gateway reads it from the graph.</summary>
    public static readonly ModelSignature CreditRisk = new(
        [new TensorSpec("features", TensorDataType.Fp32, [-1, 12])],
        [new TensorSpec("probability", TensorDataType.Fp32, [-1, 1])]);

    /// <summary>The body wrk/credit-risk-json.lua sends.</summary>
    public static readonly byte[] CreditRiskJson = Encoding.UTF8.GetBytes(
        """{"inputs":[{"name":"features","shape":[1,12],"datatype":"FP32","data":[22.0,38804.0,14800.0,0.1469,0.6007,4.0,0.0,120.0,3.4,0.34,11.74,36.0]}]}""");

    /// <summary>The JSON header of wrk/credit-risk-binary.lua.</summary>
    public static readonly byte[] CreditRiskBinaryHeader = Encoding.UTF8.GetBytes(
        """{"inputs":[{"name":"features","shape":[1,12],"datatype":"FP32","parameters":{"binary_data_size":48}}],"parameters":{"binary_data_output":true}}""");

    /// <summary>The whole body of wrk/credit-risk-binary.lua: the header, then 48 bytes of little-endian FP32.</summary>
    public static readonly byte[] CreditRiskBinary = BuildBinary();

    public static byte[] RowBytes()
    {
        var bytes = new byte[Row.Length * sizeof(float)];
        for (var i = 0; i < Row.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), Row[i]);
        }
        return bytes;
    }

    /// <summary>The repository root (the directory holding models/), found upwards from here; SERVING_REPO overrides.</summary>
    public static string RepositoryRoot()
    {
        var configured = Environment.GetEnvironmentVariable("SERVING_REPO");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "models", "credit-risk", "2", "model.onnx")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("Cannot find models/credit-risk/2/model.onnx above the benchmark; set SERVING_REPO to the repository root.");
    }

    private static byte[] BuildBinary()
    {
        var row = RowBytes();
        var body = new byte[CreditRiskBinaryHeader.Length + row.Length];
        CreditRiskBinaryHeader.CopyTo(body, 0);
        row.CopyTo(body, CreditRiskBinaryHeader.Length);
        return body;
    }
}
