using System.Collections.Frozen;

namespace Serving.Gateway.Rollouts;

/// <summary>An immutable snapshot of the rollouts in force, looked up by model name without allocating.</summary>
internal sealed class RolloutTable
{
    private readonly FrozenDictionary<string, RolloutRuntime> _byModel;
    private readonly FrozenDictionary<string, RolloutRuntime>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public RolloutTable(IReadOnlyDictionary<string, RolloutRuntime> runtimes)
    {
        _byModel = runtimes.ToFrozenDictionary(StringComparer.Ordinal);
        _bySpan = _byModel.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static RolloutTable Empty { get; } = new(new Dictionary<string, RolloutRuntime>());

    public IEnumerable<RolloutRuntime> Runtimes => _byModel.Values;

    public bool TryGet(ReadOnlySpan<char> model, out RolloutRuntime runtime) => _bySpan.TryGetValue(model, out runtime!);
}
