using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Serving.Gateway.Grpc.Protocol;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Functional.Tests.Grpc;

/// <summary>
/// The seeded fuzz of <see cref="Protocol.HostileRequestFuzzTests"/>, over gRPC: malformed
/// <c>ModelInfer</c> requests generated from the protocol's message (a shape that does not match the
/// contents, raw contents of the wrong length or count, unknown or mismatched datatypes, the wrong typed
/// field, NaN and infinity in typed and raw tensors, bad dimensions, unknown, missing and repeated inputs
/// and outputs, unknown models and versions). Every answer must be a status that is neither OK nor
/// UNKNOWN nor INTERNAL, with a message that names the problem; after every 20 a valid request must
/// still get numpy's answer. Bounded by a request count and a time budget; <c>SERVING_FUZZ_SEED</c>
/// replays another seed.
/// </summary>
public sealed class HostileGrpcRequestFuzzTests(ModelsGrpcGatewayFixture fixture, ITestOutputHelper output) : IClassFixture<ModelsGrpcGatewayFixture>, IDisposable
{
    private const int DefaultSeed = 20261201;
    private const int MaxRequests = 1000;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(15);
    private static readonly CreditRiskFixture CreditRisk = ExpectedOutputs.CreditRisk;

    /// <summary>One generated request and a fragment its error message must contain (it names the problem).</summary>
    private sealed record Fuzzed(string Kind, ModelInferRequest Request, string Names)
    {
        public override string ToString() => $"{Kind}: {Request.ToString()[..Math.Min(400, Request.ToString().Length)]}";
    }

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Host.GrpcAddress!);

    [Fact]
    public async Task ModelInfer_MalformedRequestsFromTheMessage_EachAnsweredWithAClientStatusNamingTheProblem()
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
        var seed = Environment.GetEnvironmentVariable("SERVING_FUZZ_SEED") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : DefaultSeed;
        var random = new Random(seed);
        var generators = Generators();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var statuses = new SortedDictionary<string, int>();
        var sent = 0;
        while (sent < MaxRequests && (clock.Elapsed < TimeBudget || sent < 3 * generators.Length))
        {
            var fuzzed = generators[sent % generators.Length](random);
            var what = $"seed {seed}, request {sent}, {fuzzed}";
            var error = await Assert.ThrowsAsync<RpcException>(async () => await client.ModelInferAsync(fuzzed.Request));
            Assert.True(error.StatusCode is not (StatusCode.OK or StatusCode.Unknown or StatusCode.Internal or StatusCode.DataLoss), $"{what}: {error.Status}");
            Assert.Contains(fuzzed.Names, error.Status.Detail, StringComparison.Ordinal);
            statuses[error.StatusCode.ToString()] = statuses.GetValueOrDefault(error.StatusCode.ToString()) + 1;
            sent++;
            if (sent % 20 == 0)
            {
                var rows = Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(CreditRisk.Rows)).ToArray();
                var response = await client.ModelInferAsync(Valid(rows, raw: random.Next(2) == 0));
                var output0 = Assert.Single(response.Outputs);
                var values = response.RawOutputContents.Count > 0 ? MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray() : output0.Contents.Fp32Contents.ToArray();
                CreditRisk.AssertProbabilities(2, rows, values);
            }
        }
        output.WriteLine($"seed {seed}: {sent} generated requests from {generators.Length} generators; statuses: {string.Join(", ", statuses.Select(static s => $"{s.Key}×{s.Value}"))}");
    }

    public void Dispose() => _channel.Dispose();

    // ---- The grammar: a valid request's parts, and what each can be replaced with. ----

    private static readonly string[] UnknownDatatypes = ["FP3", "", "fp32", "FP32 ", "BF17", "\u0000", "STRING", new string('X', 300)];

    private static readonly float[] NonFinite = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7f800001), BitConverter.Int32BitsToSingle(unchecked((int)0xffc00000))];

    private static ModelInferRequest Valid(int[] rows, bool raw, string model = "credit-risk", string version = "2")
    {
        var request = new ModelInferRequest { ModelName = model, ModelVersion = version, Id = "fuzz" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "features", Datatype = "FP32", Shape = { rows.Length, 12 } };
        var bytes = CreditRisk.Float32Bytes(rows);
        if (raw)
        {
            request.RawInputContents.Add(ByteString.CopyFrom(bytes));
        }
        else
        {
            input.Contents = new InferTensorContents();
            input.Contents.Fp32Contents.Add(MemoryMarshal.Cast<byte, float>(bytes).ToArray());
        }
        request.Inputs.Add(input);
        return request;
    }

    private static int[] Rows(Random random) => Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(CreditRisk.Rows)).ToArray();

    private static Func<Random, Fuzzed>[] Generators() =>
    [
        random =>
        {
            var request = Valid(Rows(random), raw: false);
            var values = request.Inputs[0].Contents.Fp32Contents;
            var delta = random.Next(1, 13) * (random.Next(2) == 0 ? -1 : 1);
            if (delta < 0)
            {
                for (var i = 0; i < -delta && values.Count > 0; i++)
                {
                    values.RemoveAt(random.Next(values.Count));
                }
            }
            else
            {
                values.Add(Enumerable.Repeat(0.5f, delta));
            }
            return new("typed contents that do not fill the shape", request, "'features'");
        },
        random =>
        {
            var rows = Rows(random);
            var request = Valid(rows, raw: true);
            var bytes = request.RawInputContents[0].ToByteArray();
            var length = Math.Max(0, bytes.Length + (random.Next(1, 49) * (random.Next(2) == 0 ? -1 : 1)));
            Array.Resize(ref bytes, length);
            request.RawInputContents[0] = ByteString.CopyFrom(bytes);
            return new("raw contents of the wrong length", request, "'features'");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: true);
            request.RawInputContents.Add(ByteString.CopyFrom(new byte[random.Next(0, 64)]));
            return new("more raw contents than inputs", request, "raw_input_contents");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: random.Next(2) == 0);
            request.Inputs[0].Datatype = UnknownDatatypes[random.Next(UnknownDatatypes.Length)];
            return new("an unknown datatype", request, "datatype");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: true);
            request.Inputs[0].Datatype = random.Next(3) switch { 0 => "FP64", 1 => "INT64", _ => "FP16" };
            return new("a datatype other than the model's", request, "'features'");
        },
        random =>
        {
            var rows = Rows(random);
            var request = Valid(rows, raw: false);
            var values = request.Inputs[0].Contents.Fp32Contents;
            var longs = values.Select(static v => (long)v).ToArray();
            request.Inputs[0].Contents = new InferTensorContents();
            if (random.Next(2) == 0)
            {
                request.Inputs[0].Contents.Int64Contents.Add(longs);
            }
            else
            {
                request.Inputs[0].Contents.Fp64Contents.Add(longs.Select(static v => (double)v));
            }
            return new("values in the wrong typed field", request, "'features'");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: false);
            var values = request.Inputs[0].Contents.Fp32Contents;
            values[random.Next(values.Count)] = NonFinite[random.Next(NonFinite.Length)];
            return new("a NaN or infinity in typed contents", request, "non-finite");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: true);
            var bytes = request.RawInputContents[0].ToByteArray();
            var floats = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
            floats[random.Next(floats.Length)] = NonFinite[random.Next(NonFinite.Length)];
            request.RawInputContents[0] = ByteString.CopyFrom(bytes);
            return new("a NaN or infinity in raw contents", request, "non-finite");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: random.Next(2) == 0);
            var shape = request.Inputs[0].Shape;
            shape.Clear();
            switch (random.Next(5))
            {
                case 0:
                    shape.Add([-random.Next(1, 1000), 12]);
                    break;
                case 1:
                    shape.Add([long.MaxValue, 12]);
                    break;
                case 2:
                    shape.Add([4294967296L, 4294967296L]);
                    break;
                case 3:
                    shape.Add(Enumerable.Repeat(1L, random.Next(9, 40)));
                    break;
                default:
                    shape.Add([3037000500L, 3037000500L]);
                    break;
            }
            return new("a dimension that is negative, too large or too many", request, "'features'");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: false);
            request.Inputs[0].Shape[1] = random.Next(2) == 0 ? 13 : 0;
            return new("a shape the model does not accept", request, "'features'");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: false);
            request.Inputs[0].Name = random.Next(2) == 0 ? "feature" : "features\u0000";
            return new("an unknown input", request, "Unknown input");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: false);
            request.Inputs.Add(request.Inputs[0].Clone());
            return new("an input given twice", request, "more than once");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: false);
            request.Inputs.Clear();
            return new("no inputs", request, "'features'");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: false);
            request.Inputs[0].Contents = null;
            return new("an input without contents", request, "no contents");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: true);
            request.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { 1f } };
            return new("typed contents next to raw contents", request, "raw_input_contents");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: false);
            request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = random.Next(2) == 0 ? "probabilities" : "" });
            return new("an unknown output", request, "Unknown output");
        },
        random =>
        {
            var request = Valid(Rows(random), raw: false, model: random.Next(2) == 0 ? "no-such-model" : "credit-risk", version: "7");
            return new("an unknown model or version", request, request.ModelName);
        },
        random =>
        {
            // The image model: 3x64x64 FP32 per image, with contents for the wrong number of pixels.
            var request = new ModelInferRequest { ModelName = "image-classifier", ModelVersion = "1" };
            var count = (3 * 64 * 64) + (random.Next(1, 100) * (random.Next(2) == 0 ? -1 : 1));
            request.RawInputContents.Add(ByteString.CopyFrom(new byte[count * 4]));
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "image", Datatype = "FP32", Shape = { 1, 3, 64, 64 } });
            return new("an image whose raw contents do not fill its shape", request, "'image'");
        },
    ];
}
