namespace Serving.Gateway.Tests.Lifecycle;

/// <summary>
/// Tests that measure the whole process (its activity listeners, its allocations, a process-wide gauge no label tells apart) and so must not share it
/// with other test classes: xUnit runs this collection by itself, after the parallel ones. xUnit reads
/// collection definitions from the test assembly only, so Serving.Functional.Tests has its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAloneCollection
{
    public const string Name = "runs alone";
}
