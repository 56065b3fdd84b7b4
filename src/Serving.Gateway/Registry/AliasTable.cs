using System.Collections.Frozen;
using Serving.Core.Registry;

namespace Serving.Gateway.Registry;

/// <summary>
/// The registry's aliases (<c>champion</c> → 2) of every model, as of the last registry read: a snapshot
/// replaced atomically, looked up from request text without allocating.
/// </summary>
internal sealed class AliasTable
{
    private static readonly Snapshot EmptySnapshot = new(new Dictionary<string, FrozenDictionary<string, int>>());

    private Snapshot _snapshot = EmptySnapshot;

    /// <summary>Replaces the aliases with those of <paramref name="states"/>.</summary>
    public void Update(IReadOnlyList<ModelState> states)
    {
        var byModel = new Dictionary<string, FrozenDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            if (state.Aliases.Count > 0)
            {
                byModel[state.Name] = state.Aliases.ToFrozenDictionary(StringComparer.Ordinal);
            }
        }
        Volatile.Write(ref _snapshot, new Snapshot(byModel));
    }

    /// <summary>The version <paramref name="alias"/> of <paramref name="model"/> points at.</summary>
    public bool TryResolve(ReadOnlySpan<char> model, ReadOnlySpan<char> alias, out int version)
    {
        version = 0;
        return Volatile.Read(ref _snapshot).Models.TryGetValue(model, out var aliases)
            && aliases.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(alias, out version);
    }

    private sealed class Snapshot(Dictionary<string, FrozenDictionary<string, int>> byModel)
    {
        public FrozenDictionary<string, FrozenDictionary<string, int>>.AlternateLookup<ReadOnlySpan<char>> Models { get; } =
            byModel.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }
}
