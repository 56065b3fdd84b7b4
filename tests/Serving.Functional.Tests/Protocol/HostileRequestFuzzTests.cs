using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Functional.Tests.Protocol;

/// <summary>
/// A seeded fuzz of the inference protocol against the real gateway and models: malformed requests
/// generated from the protocol's grammar (each field of a valid JSON, binary or raw request replaced by
/// a wrong type, undecodable text, an out-of-range number, a broken shape or length; structure cut or
/// spliced; wrong routes, methods and framing). Every answer must be a 4xx with <c>{"error": "..."}</c>
/// (Kestrel's own framing refusals may instead close the connection or answer 400 without a body), never
/// a 5xx; after every 20 of them a valid request must still get numpy's answer. Bounded by a request
/// count and a time budget; <c>SERVING_FUZZ_SEED</c> replays another seed.
/// </summary>
public sealed class HostileRequestFuzzTests(ModelsGatewayFixture fixture, ITestOutputHelper output) : IClassFixture<ModelsGatewayFixture>
{
    private const int DefaultSeed = 20261201;
    private const int MaxRequests = 2000;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(20);
    private static readonly CreditRiskFixture CreditRisk = ExpectedOutputs.CreditRisk;

    /// <summary>What an answer may be: a 4xx with an error body; or also a 200 (a random edit may leave a valid request); or also a framing refusal.</summary>
    private enum Expect
    {
        Error,
        ErrorOrOk,
        ErrorOrClosed,
    }

    /// <summary>One generated request. <see cref="RawHead"/> set: sent over a bare socket as is.</summary>
    private sealed record Fuzzed(string Kind, Expect Expect, string Method, string Path, byte[] Body, string? HeaderLength = null, string? RawHead = null, bool HalfClose = false)
    {
        public override string ToString() =>
            $"{Kind}: {Method} {Path} header-length={HeaderLength ?? "-"} body[{Body.Length}]={Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 300)))}";
    }

    private readonly GatewayHost _host = fixture.Host;

    [Fact]
    public async Task Infer_MalformedRequestsFromTheGrammar_Each4xxWithErrorAndValidRequestsStillCorrect()
    {
        var seed = Environment.GetEnvironmentVariable("SERVING_FUZZ_SEED") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : DefaultSeed;
        var random = new Random(seed);
        var generators = Generators();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var statuses = new SortedDictionary<int, int>();
        // Round-robin over the generators, so every one runs whatever the machine's speed.
        while (sent < MaxRequests && (clock.Elapsed < TimeBudget || sent < 3 * generators.Length))
        {
            var request = generators[sent % generators.Length](random);
            var status = await SendAndCheckAsync(request, seed, sent);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            sent++;
            if (sent % 20 == 0)
            {
                await AssertValidRequestAnsweredAsync(random, seed, sent);
            }
        }
        output.WriteLine($"seed {seed}: {sent} generated requests from {generators.Length} generators; statuses: {string.Join(", ", statuses.Select(static s => $"{s.Key}×{s.Value}"))}");
        Assert.True(statuses.Keys.All(static s => s < 500), $"seed {seed}: a 5xx");
    }

    private async Task<int> SendAndCheckAsync(Fuzzed request, int seed, int number)
    {
        int status;
        string body;
        if (request.RawHead is not null)
        {
            var response = await RawHttp.SendAsync(_host.Address, request.RawHead, request.Body, request.HalfClose);
            status = response.Status;
            body = response.Body;
        }
        else
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
            if (request.Method is "POST" or "PUT")
            {
                message.Content = new ByteArrayContent(request.Body);
                message.Content.Headers.ContentType = new MediaTypeHeaderValue(request.HeaderLength is null ? "application/json" : "application/octet-stream");
                if (request.HeaderLength is not null)
                {
                    foreach (var value in request.HeaderLength.Split('\n'))
                    {
                        message.Content.Headers.TryAddWithoutValidation(Infer.HeaderLength, value);
                    }
                }
            }
            using var response = await _host.Client.SendAsync(message);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync();
        }
        var what = $"seed {seed}, request {number}, {request}: answered {status} {body}";
        Assert.True(status < 500, what);
        if (status == 200)
        {
            Assert.True(request.Expect == Expect.ErrorOrOk, what);
            return status;
        }
        if (request.Expect == Expect.ErrorOrClosed && (status == 0 || (status == 400 && body.Length == 0)))
        {
            return status;
        }
        Assert.True(status is >= 400 and < 500, what);
        using var doc = JsonDocument.Parse(body);
        Assert.True(doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String && error.GetString()!.Length > 0, what);
        return status;
    }

    private async Task AssertValidRequestAnsweredAsync(Random random, int seed, int number)
    {
        var rows = Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(CreditRisk.Rows)).ToArray();
        float[] probabilities;
        if (random.Next(2) == 0)
        {
            using var response = await _host.Client.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson(rows));
            using var doc = await Infer.ReadJsonAsync(response);
            probabilities = Infer.FloatData(Infer.Output(doc, "probability"));
        }
        else
        {
            var json = $$$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[{{{rows.Length}}},12],"parameters":{"binary_data_size":{{{48 * rows.Length}}}}}]}""";
            using var response = await _host.Client.PostAsync(Infer.Path("credit-risk", 2), Infer.BinaryContent(json, CreditRisk.Float32Bytes(rows)));
            using var doc = await Infer.ReadJsonAsync(response);
            probabilities = Infer.FloatData(Infer.Output(doc, "probability"));
        }
        try
        {
            CreditRisk.AssertProbabilities(2, rows, probabilities);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"seed {seed}: the valid request after {number} generated ones was answered wrongly", ex);
        }
    }

    // ---- The grammar: a valid request's parts, and what each part can be replaced with. ----

    private const string CreditPath = "/v2/models/credit-risk/versions/2/infer";
    private const string ImagePath = "/v2/models/image-classifier/versions/1/infer";

    /// <summary>Stands for bytes that are not UTF-8, spliced in after encoding.</summary>
    private const char BadBytes = '\u0001';

    /// <summary>String fragments that are not valid text (lone surrogates, bytes that are not UTF-8).</summary>
    private static readonly string[] BadText =
    [
        "\"\\ud800\"", "\"\\udfff\"", "\"x\\ud800y\"", "\"\\ud800\\ud800\"", "\"\\udc00\\ud800\"", "\"\\ud800\\u0041\"",
        $"\"{BadBytes}\"", $"\"ok{BadBytes}\"", $"\"\\n{BadBytes}\"",
    ];

    /// <summary>Values of the wrong JSON type, or strings no field accepts.</summary>
    private static readonly string[] WrongValues =
    [
        "123", "-1", "null", "{}", "[]", "true", "\"\"", "\"" + new string('n', 5000) + "\"", "\"\\u0000\"", "1e999", "[\"features\"]",
    ];

    private static readonly string[] Shapes =
    [
        "[-1,12]", "[1,-12]", "[9223372036854775807,12]", "[-9223372036854775808,12]", "[1e30,12]", "[1.5,12]", "[\"1\",12]",
        "[null,12]", "[]", "[1,12,1]", "[1,1,1,1,1,1,1,1,1,12]", "[4294967296,4294967296]", "[0,12]", "12", "null", "\"[1,12]\"",
        "[2,12]", "[12]", "[1,13]", "[1,0]", "[3037000500,3037000500]", "{\"0\":1}", "[1,12,]",
    ];

    private static readonly string[] BadNumbers =
    [
        "NaN", "Infinity", "-Infinity", "1e39", "-1e39", "1e400", "\"1\"", "null", "true", "{}", "[]", "0x10", "01", "1.", ".5",
        "+1", "--1", "1e", "\"\\ud800\"", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", "1,2",
    ];

    private static readonly string[] Datatypes = ["\"FP64\"", "\"INT64\"", "\"fp32\"", "\"FP3\"", "\"\"", "\"BOOL\"", "\"FP32 \"", "\"BYTES\"", "\"UINT8\"", "\"FP16\""];

    private static readonly string[] HeaderLengths = ["-1", "abc", "1e3", "99999999999999999999", "+5", "0x10", "5, 6", "5\n6"];

    private static string Row(Random random) =>
        "[" + string.Join(",", CreditRisk.Inputs[random.Next(CreditRisk.Rows)].Select(static v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    /// <summary>A credit-risk JSON request with each part given as JSON text.</summary>
    private static string CreditJson(Random random, string? id = "\"fuzz\"", string name = "\"features\"", string datatype = "\"FP32\"", string shape = "[1,12]", string? data = null, string? outputs = null, string? parameters = null, string? extraKey = null)
    {
        var builder = new StringBuilder("{");
        if (extraKey is not null)
        {
            builder.Append(extraKey).Append(":1,");
        }
        if (id is not null)
        {
            builder.Append("\"id\":").Append(id).Append(',');
        }
        if (outputs is not null)
        {
            builder.Append("\"outputs\":").Append(outputs).Append(',');
        }
        if (parameters is not null)
        {
            builder.Append("\"parameters\":").Append(parameters).Append(',');
        }
        builder.Append("\"inputs\":[{\"name\":").Append(name).Append(",\"datatype\":").Append(datatype)
            .Append(",\"shape\":").Append(shape).Append(",\"data\":").Append(data ?? Row(random)).Append("}]}");
        return builder.ToString();
    }

    /// <summary>UTF-8, with each <see cref="BadBytes"/> marker replaced by bytes that are not UTF-8.</summary>
    private static byte[] Encode(string json, Random random)
    {
        byte[][] invalid = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xC0, 0xAF]];
        var bytes = new List<byte>(json.Length + 8);
        var parts = json.Split(BadBytes);
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                bytes.AddRange(invalid[random.Next(invalid.Length)]);
            }
            bytes.AddRange(Encoding.UTF8.GetBytes(parts[i]));
        }
        return [.. bytes];
    }

    private static Fuzzed Json(string kind, Random random, string json, Expect expect = Expect.Error, string path = CreditPath) =>
        new(kind, expect, "POST", path, Encode(json, random));

    private static byte[] Floats(params float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] RowBytes(Random random, int rows) => CreditRisk.Float32Bytes(Enumerable.Range(0, rows).Select(_ => random.Next(CreditRisk.Rows)).ToArray());

    private static Fuzzed Binary(string kind, string json, byte[] tensor, string? headerLength = null, string path = CreditPath, Expect expect = Expect.Error)
    {
        var header = Encoding.UTF8.GetBytes(json);
        return new(kind, expect, "POST", path, [.. header, .. tensor], headerLength ?? header.Length.ToString(CultureInfo.InvariantCulture));
    }

    private static string BinaryHeader(string size = "48", string shape = "[1,12]", string extra = "") =>
        $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":{{shape}},"parameters":{"binary_data_size":{{size}}}{{extra}}}]}""";

    private static byte[] WithNonFinite(Random random, byte[] tensor)
    {
        var copy = tensor.ToArray();
        float[] bad = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7FC0_0001)];
        BitConverter.TryWriteBytes(copy.AsSpan(4 * random.Next(copy.Length / 4)), bad[random.Next(bad.Length)]);
        return copy;
    }

    private static Fuzzed Raw(string kind, string head, byte[]? body = null, bool halfClose = false) =>
        new(kind, Expect.ErrorOrClosed, "RAW", "", body ?? [], RawHead: head, HalfClose: halfClose);

    private static Func<Random, Fuzzed>[] Generators() =>
    [
        // Text fields: undecodable text and wrong types.
        static r => Json("id: bad text", r, CreditJson(r, id: Pick(r, BadText))),
        static r => Json("id: other values", r, CreditJson(r, id: Pick(r, WrongValues)), Expect.ErrorOrOk),
        static r => Json("input name: bad text", r, CreditJson(r, name: Pick(r, BadText))),
        static r => Json("input name: wrong", r, CreditJson(r, name: Pick(r, WrongValues))),
        static r => Json("datatype: bad text", r, CreditJson(r, datatype: Pick(r, BadText))),
        static r => Json("datatype: wrong", r, CreditJson(r, datatype: r.Next(2) == 0 ? Pick(r, Datatypes) : Pick(r, WrongValues))),
        static r => Json("output name: bad text", r, CreditJson(r, outputs: $"[{{\"name\":{Pick(r, BadText)}}}]")),
        static r => Json("outputs: wrong", r, CreditJson(r, outputs: Pick(r, ["{}", "[1]", "[{}]", "[{\"name\":\"nope\"}]", "[{\"name\":\"probability\",\"parameters\":[]}]", "[{\"name\":\"probability\",\"parameters\":{\"binary_data\":1}}]", "[{\"name\":" + Pick(r, WrongValues) + "}]"]))),
        static r => Json("property name: bad text", r, CreditJson(r, extraKey: Pick(r, BadText))),
        static r => Json("parameters: wrong", r, CreditJson(r, parameters: Pick(r, ["[]", "1", "{\"binary_data_output\":1}", "{\"binary_data_output\":\"yes\"}", "{\"binary_data_output\":null}"]))),
        // Shapes and data.
        static r => Json("shape", r, CreditJson(r, shape: Pick(r, Shapes))),
        static r =>
        {
            var values = CreditRisk.Inputs[r.Next(CreditRisk.Rows)].Select(static v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
            values[r.Next(values.Length)] = Pick(r, BadNumbers);
            return Json("data: a bad element", r, CreditJson(r, data: "[" + string.Join(",", values) + "]"));
        },
        static r =>
        {
            var values = CreditRisk.Inputs[r.Next(CreditRisk.Rows)].Select(static v => v.ToString("R", CultureInfo.InvariantCulture)).ToList();
            if (r.Next(2) == 0)
            {
                values.RemoveAt(r.Next(values.Count));
            }
            else
            {
                values.Insert(r.Next(values.Count), "1");
            }
            return Json("data: wrong count", r, CreditJson(r, data: "[" + string.Join(",", values) + "]"));
        },
        static r => Json("data: wrong type", r, CreditJson(r, data: Pick(r, ["1", "\"[1]\"", "null", "{}", "[" + new string('[', 40) + new string(']', 40) + "]", "[true,false]"]))),
        // Structure.
        static r =>
        {
            var json = CreditJson(r);
            return Json("truncated", r, json[..r.Next(json.Length)]);
        },
        static r =>
        {
            var bytes = Encoding.UTF8.GetBytes(CreditJson(r));
            for (var i = 0; i < 1 + r.Next(3); i++)
            {
                bytes[r.Next(bytes.Length)] = (byte)r.Next(256);
            }
            return new Fuzzed("bytes flipped", Expect.ErrorOrOk, "POST", CreditPath, bytes);
        },
        static r =>
        {
            var json = CreditJson(r);
            var at = r.Next(json.Length + 1);
            return Json("token inserted", r, json[..at] + Pick(r, [",", "}", "]", ":", "\"", "\\", "{", "[", "\u0000", BadBytes.ToString(), "/*x*/", "\"inputs\":"]) + json[at..], Expect.ErrorOrOk);
        },
        static r => Json("top level", r, Pick(r, ["", " ", "[]", "null", "\"\"", "1", "{}", "{\"inputs\":null}", "{\"inputs\":[null]}", "{\"inputs\":[[]]}", "{\"inputs\":{}}", new string('{', 1 + r.Next(300)), "{\"a\":" + new string('[', 100) + new string(']', 100) + "}"])),
        static r =>
        {
            var json = CreditJson(r);
            var inputs = json[json.IndexOf("\"inputs\"", StringComparison.Ordinal)..^1];
            return Json("inputs twice", r, "{" + inputs + "," + inputs + "}");
        },
        // Binary tensor data extension.
        static r => Binary("binary: header length", BinaryHeader(), RowBytes(r, 1), Pick(r, HeaderLengths)),
        static r =>
        {
            var json = BinaryHeader();
            return Binary("binary: header length cuts the JSON", json, RowBytes(r, 1), r.Next(1, json.Length).ToString(CultureInfo.InvariantCulture));
        },
        static r => Binary("binary: header length past the body", BinaryHeader(), RowBytes(r, 1), (BinaryHeader().Length + 49 + r.Next(100000)).ToString(CultureInfo.InvariantCulture)),
        static r => Binary("binary: header length 0 before JSON", BinaryHeader(), RowBytes(r, 1), "0", expect: Expect.ErrorOrOk),
        static r => Binary("binary: size", BinaryHeader(size: Pick(r, ["47", "49", "0", "-48", "\"48\"", "48.5", "4611686018427387904", "null", "96"])), RowBytes(r, 1)),
        static r => Binary("binary: shape", BinaryHeader(shape: Pick(r, Shapes)), RowBytes(r, 1)),
        static r => Binary("binary: body cut short", BinaryHeader(), RowBytes(r, 1)[..r.Next(48)]),
        static r => Binary("binary: bytes left over", BinaryHeader(), [.. RowBytes(r, 1), .. new byte[1 + r.Next(100)]]),
        static r => Binary("binary: NaN or infinity", BinaryHeader(), WithNonFinite(r, RowBytes(r, 1))),
        static r => Binary("binary: also has data", BinaryHeader(extra: ",\"data\":[1]"), RowBytes(r, 1)),
        static r => new Fuzzed("binary: size without the header", Expect.Error, "POST", CreditPath, Encoding.UTF8.GetBytes(BinaryHeader())),
        static r => Binary("raw: not whole rows", "", RowBytes(r, 1 + r.Next(3))[..^(1 + r.Next(47))], "0"),
        static r => Binary("raw: empty", "", [], "0"),
        static r => Binary("raw: NaN or infinity", "", WithNonFinite(r, RowBytes(r, 1 + r.Next(3))), "0"),
        static r =>
        {
            var image = ExpectedOutputs.ImageClassifier.Float32Bytes();
            var shape = Pick(r, ["[2,3,64,63]", "[2,3,64,64,1]", "[2,64,64,3]", "[4,3,64,64]", "[2,3,64,64]"]);
            var size = image.Length - 4 * r.Next(2);
            var json = $$$"""{"inputs":[{"name":"image","datatype":"FP32","shape":{{{shape}}},"parameters":{"binary_data_size":{{{size}}}}}]}""";
            var tensor = r.Next(2) == 0 ? WithNonFinite(r, image) : image[..^4];
            return Binary("image: shape, size or NaN", json, tensor, path: ImagePath);
        },
        // Routes and methods.
        static r => new Fuzzed("method", Expect.Error, Pick(r, ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"]), Pick(r, [CreditPath, "/v2/models/credit-risk/infer", ImagePath]), []),
        static r => new Fuzzed("path", Expect.Error, "POST", Pick(r,
        [
            "/v2/models/infer", "/v2/models//infer", "/v2/models/credit-risk/versions/abc/infer", "/v2/models/credit-risk/versions/99999999999/infer",
            "/v2/models/credit-risk/versions/-1/infer", "/v2/models/credit-risk/versions/2/extra/infer", "/v2/models/%F0%9F%98%80/infer",
            "/v2/models/%ff%fe/infer", "/v2/models/credit-risk/versions//infer", "/v2/models/nope/infer", "/v2/models/credit-risk/versions/2/infer/x",
            "/v2/models/credit-risk/versions/%ff/infer", "/v2/models/" + new string('m', 3000) + "/infer",
        ]), Encoding.UTF8.GetBytes(CreditJson(r))),
        static r => Raw("path with dot segments", RawHttp.Head("POST", Pick(r, ["/v2/models/./infer", "/v2/models/../infer", "/v2/models/././infer", "/v2/models/credit-risk/../infer"]), "Content-Length: 2"), "{}"u8.ToArray()),
        // Framing.
        static r => Raw("chunk size", RawHttp.Head("POST", CreditPath, "Transfer-Encoding: chunked"),
            Encoding.ASCII.GetBytes(Pick(r, ["ffffffffffffffffffff", "-5", "zz", "7fffffff", "1;ext=\"x", "", "0x10", "100000000"]) + "\r\n{}\r\n0\r\n\r\n"), halfClose: true),
        static r => Raw("content length", RawHttp.Head("POST", CreditPath, "Content-Length: " + Pick(r, ["-1", "abc", "99999999999999999999", "1, 2", "0x10"])), "{}"u8.ToArray(), halfClose: true),
        static r => Raw("body shorter than declared", RawHttp.Head("POST", CreditPath, "Content-Length: " + (100 + r.Next(10000)).ToString(CultureInfo.InvariantCulture)), Encoding.UTF8.GetBytes(CreditJson(r))[..50], halfClose: true),
        static r => Raw("length and chunked", RawHttp.Head("POST", CreditPath, "Content-Length: 5", "Transfer-Encoding: chunked"), "2\r\n{}\r\n0\r\n\r\n"u8.ToArray(), halfClose: true),
    ];
}
