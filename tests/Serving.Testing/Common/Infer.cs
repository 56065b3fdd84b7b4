using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Serving.Testing.Common;

/// <summary>Builds Open Inference Protocol requests and reads responses, the way a client library would.</summary>
internal static class Infer
{
    public const string HeaderLength = "Inference-Header-Content-Length";

    public static string Path(string model, int? version = null) =>
        version is null ? $"/v2/models/{model}/infer" : $"/v2/models/{model}/versions/{version}/infer";

    /// <summary>A JSON credit-risk request for <paramref name="rows"/> of the numpy fixture, shape [rows, 12].</summary>
    public static string CreditRiskJson(IReadOnlyList<int> rows, string? id = null, bool nested = false)
    {
        var fixture = ExpectedOutputs.CreditRisk;
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (id is not null)
            {
                w.WriteString("id", id);
            }
            w.WriteStartArray("inputs");
            w.WriteStartObject();
            w.WriteString("name", "features");
            w.WriteString("datatype", "FP32");
            w.WriteStartArray("shape");
            w.WriteNumberValue(rows.Count);
            w.WriteNumberValue(12);
            w.WriteEndArray();
            w.WriteStartArray("data");
            foreach (var row in rows)
            {
                if (nested)
                {
                    w.WriteStartArray();
                }
                foreach (var value in fixture.Inputs[row])
                {
                    w.WriteNumberValue(value);
                }
                if (nested)
                {
                    w.WriteEndArray();
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>A body of JSON followed by tensor bytes, with Inference-Header-Content-Length set to the JSON's length.</summary>
    public static ByteArrayContent BinaryContent(string json, params byte[][] tensors)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var content = new ByteArrayContent([.. header, .. tensors.SelectMany(static t => t)]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(HeaderLength, header.Length.ToString(CultureInfo.InvariantCulture));
        return content;
    }

    /// <summary>A raw binary body (Inference-Header-Content-Length: 0): the single input's bytes and nothing else.</summary>
    public static ByteArrayContent RawContent(byte[] tensor)
    {
        var content = new ByteArrayContent(tensor);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(HeaderLength, "0");
        return content;
    }

    /// <summary>Reads a 200 JSON response.</summary>
    public static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(HasHeaderLength(response), "A JSON-only response must not carry Inference-Header-Content-Length.");
        return JsonDocument.Parse(body);
    }

    /// <summary>Reads a 200 response whose outputs are (partly) binary: the JSON header and the bytes after it.</summary>
    public static async Task<(JsonDocument Header, byte[] Binary)> ReadBinaryAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(HasHeaderLength(response), "A binary response must carry Inference-Header-Content-Length.");
        var jsonLength = int.Parse(HeaderLengthValue(response), NumberStyles.None, CultureInfo.InvariantCulture);
        Assert.InRange(jsonLength, 2, body.Length);
        return (JsonDocument.Parse(body.AsMemory(0, jsonLength)), body[jsonLength..]);
    }

    /// <summary>Splits the binary section by each binary output's <c>binary_data_size</c>, in output order.</summary>
    public static Dictionary<string, byte[]> SplitBinaryOutputs(JsonDocument header, byte[] binary)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var offset = 0;
        foreach (var output in header.RootElement.GetProperty("outputs").EnumerateArray())
        {
            if (output.TryGetProperty("parameters", out var parameters) && parameters.TryGetProperty("binary_data_size", out var size))
            {
                Assert.False(output.TryGetProperty("data", out _), "A binary output must not also carry 'data'.");
                var length = size.GetInt32();
                result[output.GetProperty("name").GetString()!] = binary.AsSpan(offset, length).ToArray();
                offset += length;
            }
        }
        Assert.Equal(binary.Length, offset);
        return result;
    }

    public static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    public static JsonElement Output(JsonDocument response, string name) =>
        response.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == name);

    public static float[] FloatData(JsonElement output) => output.GetProperty("data").EnumerateArray().Select(static v => v.GetSingle()).ToArray();

    public static long[] Shape(JsonElement output) => output.GetProperty("shape").EnumerateArray().Select(static v => v.GetInt64()).ToArray();

    /// <summary>Reads an error response: the status, and the message of <c>{"error": "..."}</c>.</summary>
    public static async Task<string> ReadErrorAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        var message = doc.RootElement.GetProperty("error").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message!;
    }

    /// <summary>The version that answered, from the header and the body, which must agree.</summary>
    public static string AnsweringVersion(HttpResponseMessage response, JsonDocument body)
    {
        var header = Assert.Single(response.Headers.GetValues("x-model-version"));
        Assert.Equal(header, body.RootElement.GetProperty("model_version").GetString());
        return header;
    }

    private static bool HasHeaderLength(HttpResponseMessage response) =>
        response.Headers.Contains(HeaderLength) || response.Content.Headers.Contains(HeaderLength);

    private static string HeaderLengthValue(HttpResponseMessage response) =>
        response.Headers.TryGetValues(HeaderLength, out var values) ? values.Single() : response.Content.Headers.GetValues(HeaderLength).Single();
}
