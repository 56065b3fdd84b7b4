using System.Collections.Immutable;
using Serving.Core.Repository;

namespace Serving.Core.Registry;

/// <summary>
/// Everything the registry knows about one model. Replaced whole on every change; <see cref="Revision"/>
/// increases by one per change and is the compare-and-swap token of the stores.
/// </summary>
internal sealed record ModelState
{
    /// <summary>The model name (see <see cref="ModelNames"/>).</summary>
    public required string Name { get; init; }

    /// <summary>The number of committed changes; 0 means the model does not exist yet.</summary>
    public long Revision { get; init; }

    /// <summary>The versions, ordered by version number.</summary>
    public ImmutableArray<ModelVersion> Versions { get; init; } = [];

    /// <summary>Aliases (e.g. <c>champion</c>) and the version each points at.</summary>
    public ImmutableSortedDictionary<string, int> Aliases { get; init; } = ImmutableSortedDictionary<string, int>.Empty;

    /// <summary>
    /// Versions archived by promotions, oldest first: the last one is where <c>rollback</c> returns.
    /// </summary>
    public ImmutableArray<int> ProductionHistory { get; init; } = [];

    /// <summary>The Production version, if any.</summary>
    public ModelVersion? Production
    {
        get
        {
            foreach (var v in Versions)
            {
                if (v.Stage == ModelStage.Production)
                {
                    return v;
                }
            }

            return null;
        }
    }

    /// <summary>The highest version number, or 0 when there is none.</summary>
    public int LatestVersion => Versions.IsEmpty ? 0 : Versions[^1].Version;

    /// <summary>Finds a version by number.</summary>
    public ModelVersion? FindVersion(int version)
    {
        foreach (var v in Versions)
        {
            if (v.Version == version)
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>Resolves an alias to its version, or <see langword="null"/> when the alias is not set.</summary>
    public ModelVersion? ResolveAlias(string alias) =>
        Aliases.TryGetValue(alias, out var version) ? FindVersion(version) : null;
}
