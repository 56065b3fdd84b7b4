namespace Serving.Gateway.Tests.Lifecycle;

/// <summary>
/// Tests that measure the whole process (its memory, or a process-wide gauge no label tells apart) and so
/// must not share it with other test classes: xUnit runs this collection by itself, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAloneCollection
{
    public const string Name = "runs alone";
}
