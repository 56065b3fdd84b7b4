using Microsoft.Extensions.Logging.Abstractions;
using Serving.Gateway.Inference;

namespace Serving.Testing.Common;

/// <summary>ONNX Runtime sessions of the repository's models on the CPU provider, as the gateway creates them.</summary>
internal static class CpuSessions
{
    /// <summary>credit-risk version 2 (the numpy fixtures of <see cref="ExpectedOutputs.CreditRisk"/>); fails the test if it does not load.</summary>
    public static SessionFactory.Created CreditRisk()
    {
        var factory = new SessionFactory(new OnnxRuntimeOptions { ExecutionProvider = "cpu" }, NullLogger<SessionFactory>.Instance);
        var created = factory.Create("credit-risk", 2, Path.Combine(RepositoryPaths.Models, "credit-risk", "2", "model.onnx"));
        Xunit.Assert.Null(created.Error);
        return created;
    }
}
