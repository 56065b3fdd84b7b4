using Serving.Gateway.Security;

namespace Serving.Gateway.Tests.Security;

/// <summary>Which requests need a credential and which count against a quota (docs/security.md's table).</summary>
public sealed class AccessPathsTests
{
    [Theory]
    [InlineData("/v2/models/credit-risk/infer", "Inference")]
    [InlineData("/v2/models/credit-risk/versions/champion/infer", "Inference")]
    [InlineData("/inference.GRPCInferenceService/ModelInfer", "Inference")]
    [InlineData("/v2", "Protected")]
    [InlineData("/v2/models/credit-risk", "Protected")]
    [InlineData("/v2/models/credit-risk/ready", "Protected")]
    [InlineData("/inference.GRPCInferenceService/ModelMetadata", "Protected")]
    [InlineData("/inference.GRPCInferenceService/ServerMetadata", "Protected")]
    [InlineData("/v2/health/live", "Open")]
    [InlineData("/v2/health/ready", "Open")]
    [InlineData("/inference.GRPCInferenceService/ServerLive", "Open")]
    [InlineData("/inference.GRPCInferenceService/ServerReady", "Open")]
    [InlineData("/metrics", "Open")]
    [InlineData("/admin/models", "Open")]
    [InlineData("/v2x/models/m/infer", "Open")]
    public void Classify_Path_NeedsWhatTheDocsSay(string path, string expected) =>
        Assert.Equal(Enum.Parse<RequestAccess>(expected), AccessPaths.Classify(path));
}
