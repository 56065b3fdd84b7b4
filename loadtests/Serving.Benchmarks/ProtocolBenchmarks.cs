using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Serving.Core.Protocol;

namespace Serving.Benchmarks;

/// <summary>
/// The protocol codec on the credit-risk request the load test sends, as the gateway uses it: one
/// reused request bound to the signature (its pooled tensor buffers survive Bind), one reused response
/// buffer and Utf8JsonWriter. Budget: 0 bytes allocated per operation.
/// </summary>
public class ProtocolBenchmarks
{
    private readonly InferenceRequest _request = new();
    private readonly InferenceRequest _binaryRequest = new();
    private readonly InferenceResult _result = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer = new(Stream.Null, new JsonWriterOptions { SkipValidation = true });
    private readonly byte[] _model = "credit-risk"u8.ToArray();
    private readonly byte[] _version = "2"u8.ToArray();
    private ReadOnlySequence<byte> _json;
    private ReadOnlySequence<byte> _binary;

    [GlobalSetup]
    public void Setup()
    {
        _json = new ReadOnlySequence<byte>(Fixtures.CreditRiskJson);
        _binary = new ReadOnlySequence<byte>(Fixtures.CreditRiskBinary);
        // Parse once so that the pooled buffers are rented before measuring (as on a warm gateway).
        Check(ParseJson());
        Check(ParseBinary());
        _result.Bind(1);
        var output = _result.Output(0).Allocate(TensorDataType.Fp32, TensorShape.From([1, 1]), sizeof(float));
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(output, 0.0726283938f);
        if (WriteJsonResponse() < 0 || WriteBinaryResponse() < 0)
        {
            throw new InvalidOperationException("The response writer did not write.");
        }
    }

    [Benchmark(Description = "Parse credit-risk JSON request")]
    public string? ParseJson()
    {
        _request.Bind(Fixtures.CreditRisk);
        return InferenceRequestParser.Parse(_json, -1, _request);
    }

    [Benchmark(Description = "Parse credit-risk binary request")]
    public string? ParseBinary()
    {
        _binaryRequest.Bind(Fixtures.CreditRisk);
        return InferenceRequestParser.Parse(_binary, Fixtures.CreditRiskBinaryHeader.Length, _binaryRequest);
    }

    [Benchmark(Description = "Write credit-risk JSON response")]
    public int WriteJsonResponse()
    {
        _buffer.ResetWrittenCount();
        InferenceResponseWriter.Write(_writer, _buffer, _model, _version, _request, _result);
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "Write credit-risk binary response")]
    public int WriteBinaryResponse()
    {
        _buffer.ResetWrittenCount();
        InferenceResponseWriter.Write(_writer, _buffer, _model, _version, _binaryRequest, _result);
        return _buffer.WrittenCount;
    }

    private static void Check(string? error)
    {
        if (error is not null)
        {
            throw new InvalidOperationException("The fixture did not parse: " + error);
        }
    }
}
