using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Serving.Core.Protocol;
using Serving.Core.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Core.Tests.Protocol;

/// <summary>
/// The request path's budget, held: once warm, parsing a request into its pooled tensors and writing its
/// response allocate nothing on the managed heap (JSON, and JSON with binary tensors).
/// </summary>
public sealed class AllocationBudgetTests
{
    private const string Json = """{"id":"req-7","inputs":[{"name":"query","datatype":"FP32","shape":[2,4],"data":[1,2,3,4,5,6,7,8]},{"name":"doc_ids","datatype":"INT64","shape":[2,3],"data":[1,2,3,4,5,6]}]}""";

    [Fact]
    public void Parse_WarmJsonRequest_AllocatesNothing()
    {
        var body = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Json));
        var request = new InferenceRequest();

        var fewest = Allocations.FewestBytes(() =>
        {
            request.Bind(Signatures.Ranker);
            var error = InferenceRequestParser.Parse(body, -1, request);
            request.Release();
            return error is null;
        });

        Assert.Equal(0, fewest);
    }

    [Fact]
    public void Parse_WarmBinaryRequest_AllocatesNothing()
    {
        var header = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"query","datatype":"FP32","shape":[2,4],"parameters":{"binary_data_size":32}},{"name":"doc_ids","datatype":"INT64","shape":[2,3],"parameters":{"binary_data_size":48}}]}""");
        byte[] bytes = [.. header, .. MemoryMarshal.AsBytes(new float[8].AsSpan()), .. MemoryMarshal.AsBytes(new long[6].AsSpan())];
        var body = new ReadOnlySequence<byte>(bytes);
        var request = new InferenceRequest();

        var fewest = Allocations.FewestBytes(() =>
        {
            request.Bind(Signatures.Ranker);
            var error = InferenceRequestParser.Parse(body, header.Length, request);
            request.Release();
            return error is null;
        });

        Assert.Equal(0, fewest);
    }

    [Fact]
    public void Write_WarmResponse_AllocatesNothing()
    {
        var request = new InferenceRequest();
        request.Bind(Signatures.Ranker);
        Assert.Null(InferenceRequestParser.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Json)), -1, request));
        var result = new InferenceResult();
        var scores = new float[] { 0.5f, -1.25f };
        var ids = new long[] { 9007199254740993, -3 };
        var buffer = new ArrayBufferWriter<byte>(4096);
        var writer = new Utf8JsonWriter(Stream.Null);

        result.Bind(2);
        MemoryMarshal.AsBytes(scores.AsSpan()).CopyTo(result.Output(0).Allocate(TensorDataType.Fp32, TensorShape.From([2, 1]), 8));
        MemoryMarshal.AsBytes(ids.AsSpan()).CopyTo(result.Output(1).Allocate(TensorDataType.Int64, TensorShape.From([2, 1]), 16));

        var fewest = Allocations.FewestBytes(() =>
        {
            buffer.ResetWrittenCount();
            InferenceResponseWriter.Write(writer, buffer, "ranker"u8, "3"u8, request, result);
            return buffer.WrittenCount > 0;
        });

        Assert.Equal(0, fewest);
        // What was measured is a real response: the last one written reads back.
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.Equal("req-7", doc.RootElement.GetProperty("id").GetString());
        Assert.Equal(-3, doc.RootElement.GetProperty("outputs")[1].GetProperty("data")[1].GetInt64());
    }
}
