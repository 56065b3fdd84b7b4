using System.Net.Http.Json;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Serving.Gateway.Grpc.Protocol;
using Serving.Gateway.Registry;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Grpc;

/// <summary>The gRPC service through the .NET client over real Kestrel, checked against the numpy fixture.</summary>
public sealed class GrpcInferenceServiceTests(ModelsGrpcGatewayFixture fixture) : IClassFixture<ModelsGrpcGatewayFixture>, IDisposable
{
    private static readonly CreditRiskFixture CreditRisk = ExpectedOutputs.CreditRisk;
    private static readonly int[] AllRows = Enumerable.Range(0, ExpectedOutputs.CreditRisk.Rows).ToArray();

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Host.GrpcAddress!);

    private GRPCInferenceService.GRPCInferenceServiceClient Client => new(_channel);

    [Theory]
    [InlineData("1", 1)]
    [InlineData("2", 2)]
    [InlineData("", 2)]
    public async Task ModelInfer_TypedFp32_MatchesNumpy(string version, int answering)
    {
        var request = CreditRiskRequest(version, raw: false);

        using var call = Client.ModelInferAsync(request);
        var response = await call;
        var headers = await call.ResponseHeadersAsync;

        Assert.Equal("credit-risk", response.ModelName);
        Assert.Equal(answering.ToString(System.Globalization.CultureInfo.InvariantCulture), response.ModelVersion);
        Assert.Equal(response.ModelVersion, headers.GetValue("x-model-version"));
        Assert.Equal("default", response.Parameters["variant"].StringParam);
        Assert.Equal("grpc-test", response.Id);
        var output = Assert.Single(response.Outputs);
        Assert.Equal("probability", output.Name);
        Assert.Equal("FP32", output.Datatype);
        Assert.Equal([32L, 1L], output.Shape);
        Assert.Empty(response.RawOutputContents);
        CreditRisk.AssertProbabilities(answering, AllRows, output.Contents.Fp32Contents);
    }

    [Fact]
    public async Task ModelInfer_RawInputContents_AnswersRawOutputContents()
    {
        var response = await Client.ModelInferAsync(CreditRiskRequest("1", raw: true));

        var output = Assert.Single(response.Outputs);
        Assert.Null(output.Contents);
        var raw = Assert.Single(response.RawOutputContents);
        CreditRisk.AssertProbabilities(1, AllRows, MemoryMarshal.Cast<byte, float>(raw.Span).ToArray());
    }

    [Fact]
    public async Task ModelInfer_AliasAsVersion_AnsweredByTheAliasedVersionOverGrpcAndRest()
    {
        using var put = await fixture.Host.Client.PutAsJsonAsync("/admin/models/credit-risk/aliases/champion", new { version = 1, actor = "grpc-test" });
        put.EnsureSuccessStatusCode();
        var aliases = fixture.Host.Services.GetRequiredService<AliasTable>();
        await Polling.UntilAsync(() => aliases.TryResolve("credit-risk", "champion", out var v) && v == 1, "the gateway reads the alias");

        var response = await Client.ModelInferAsync(CreditRiskRequest("champion", raw: false));
        using var rest = await fixture.Host.Client.PostJsonAsync("/v2/models/credit-risk/versions/champion/infer", Infer.CreditRiskJson(AllRows));
        using var doc = await Infer.ReadJsonAsync(rest);
        var metadata = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "credit-risk", Version = "champion" });

        Assert.Equal("1", response.ModelVersion);
        CreditRisk.AssertProbabilities(1, AllRows, response.Outputs[0].Contents.Fp32Contents);
        Assert.Equal("1", Infer.AnsweringVersion(rest, doc));
        CreditRisk.AssertProbabilities(1, AllRows, Infer.FloatData(Infer.Output(doc, "probability")));
        Assert.Equal(["1"], metadata.Versions);
    }

    [Theory]
    [InlineData("no-such-model", "", StatusCode.NotFound)]
    [InlineData("credit-risk", "7", StatusCode.NotFound)]
    [InlineData("credit-risk", "no-such-alias", StatusCode.NotFound)]
    public async Task ModelInfer_UnknownModelOrVersion_NotFound(string model, string version, StatusCode expected)
    {
        var request = CreditRiskRequest(version, raw: false);
        request.ModelName = model;

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client.ModelInferAsync(request));

        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(model, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelInfer_WrongElementCount_InvalidArgumentNamingTheInput()
    {
        var request = CreditRiskRequest("1", raw: false);
        request.Inputs[0].Contents.Fp32Contents.RemoveAt(0);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Client.ModelInferAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("'features'", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerAndModelMetadata_MatchRest()
    {
        var live = await Client.ServerLiveAsync(new ServerLiveRequest());
        var ready = await Client.ServerReadyAsync(new ServerReadyRequest());
        var server = await Client.ServerMetadataAsync(new ServerMetadataRequest());
        var model = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = "credit-risk" });
        var restModel = await fixture.Host.Client.GetFromJsonAsync<System.Text.Json.JsonElement>("/v2/models/credit-risk");

        Assert.True(live.Live);
        Assert.True(ready.Ready);
        Assert.Contains("binary_tensor_data", server.Extensions);
        Assert.Equal(restModel.GetProperty("versions").EnumerateArray().Select(static v => v.GetString()).ToArray(), model.Versions);
        var input = Assert.Single(model.Inputs);
        Assert.Equal("features", input.Name);
        Assert.Equal("FP32", input.Datatype);
        Assert.Equal([-1L, 12L], input.Shape);
    }

    public void Dispose() => _channel.Dispose();

    private static ModelInferRequest CreditRiskRequest(string version, bool raw)
    {
        var request = new ModelInferRequest { ModelName = "credit-risk", ModelVersion = version, Id = "grpc-test" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "features", Datatype = "FP32", Shape = { AllRows.Length, 12 } };
        var bytes = CreditRisk.Float32Bytes(AllRows);
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
}
