using System.Runtime.InteropServices;
using Grpc.Core;
using Grpc.Net.Client;
using Serving.Functional.Tests.Grpc;
using Serving.Gateway.Grpc.Protocol;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

/// <summary>
/// Every inference response carries an id — the body's, else the <c>x-request-id</c> header's, else one the gateway
/// assigns — in the body and the <c>x-request-id</c> header, over REST (JSON and binary) and gRPC.
/// </summary>
public sealed class RequestIdTests(ModelsGrpcGatewayFixture fixture) : IClassFixture<ModelsGrpcGatewayFixture>, IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Host.GrpcAddress!);

    private HttpClient Client => fixture.Host.Client;

    [Theory]
    [InlineData("body-id", null, "body-id")]
    [InlineData("body-id", "header-id", "body-id")]
    [InlineData(null, "header-id", "header-id")]
    public async Task Infer_GivenId_EchoedInBodyAndHeader(string? bodyId, string? headerId, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Infer.Path("credit-risk"))
        {
            Content = new StringContent(Infer.CreditRiskJson([0], id: bodyId), System.Text.Encoding.UTF8, "application/json"),
        };
        if (headerId is not null)
        {
            request.Headers.Add("x-request-id", headerId);
        }

        using var response = await Client.SendAsync(request);
        using var body = await Infer.ReadJsonAsync(response);

        Assert.Equal(expected, body.RootElement.GetProperty("id").GetString());
        Assert.Equal(expected, Assert.Single(response.Headers.GetValues("x-request-id")));
    }

    [Fact]
    public async Task Infer_NoId_AssignsADistinctIdPerRequest()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([0]));
            using var body = await Infer.ReadJsonAsync(response);
            var id = body.RootElement.GetProperty("id").GetString()!;
            Assert.Equal(id, Assert.Single(response.Headers.GetValues("x-request-id")));
            Assert.Matches("^[0-9a-f]{8}-[0-9]+$", id);
            ids.Add(id);
        }
        Assert.Equal(3, ids.Distinct().Count());
    }

    [Fact]
    public async Task Infer_BinaryResponse_CarriesTheAssignedIdInHeaderAndJson()
    {
        var json = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"parameters":{"binary_data_size":48}}],"parameters":{"binary_data_output":true}}""";
        using var response = await Client.PostAsync(Infer.Path("credit-risk"), Infer.BinaryContent(json, ExpectedOutputs.CreditRisk.Float32Bytes([0])));
        var (header, _) = await Infer.ReadBinaryAsync(response);

        var id = header.RootElement.GetProperty("id").GetString();
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal(id, Assert.Single(response.Headers.GetValues("x-request-id")));
    }

    [Theory]
    [InlineData("grpc-body", null, "grpc-body")]
    [InlineData("grpc-body", "grpc-header", "grpc-body")]
    [InlineData("", "grpc-header", "grpc-header")]
    public async Task ModelInfer_GivenId_EchoedInResponseAndMetadata(string bodyId, string? headerId, string expected)
    {
        var metadata = new Metadata();
        if (headerId is not null)
        {
            metadata.Add("x-request-id", headerId);
        }

        using var call = new GRPCInferenceService.GRPCInferenceServiceClient(_channel).ModelInferAsync(Request(bodyId), metadata);
        var response = await call;
        var headers = await call.ResponseHeadersAsync;

        Assert.Equal(expected, response.Id);
        Assert.Equal(expected, headers.GetValue("x-request-id"));
    }

    [Fact]
    public async Task ModelInfer_NoId_AssignsOne()
    {
        using var call = new GRPCInferenceService.GRPCInferenceServiceClient(_channel).ModelInferAsync(Request(""));
        var response = await call;

        Assert.Matches("^[0-9a-f]{8}-[0-9]+$", response.Id);
        Assert.Equal(response.Id, (await call.ResponseHeadersAsync).GetValue("x-request-id"));
    }

    public void Dispose() => _channel.Dispose();

    private static ModelInferRequest Request(string id)
    {
        var request = new ModelInferRequest { ModelName = "credit-risk", Id = id };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "features", Datatype = "FP32", Shape = { 1, 12 }, Contents = new InferTensorContents() };
        input.Contents.Fp32Contents.Add(MemoryMarshal.Cast<byte, float>(ExpectedOutputs.CreditRisk.Float32Bytes([0])).ToArray());
        request.Inputs.Add(input);
        return request;
    }
}
