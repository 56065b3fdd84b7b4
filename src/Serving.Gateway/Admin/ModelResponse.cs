using System.Collections.Immutable;
using Serving.Core.Registry;

namespace Serving.Gateway.Admin;

/// <summary>One model as the admin API shows it.</summary>
internal sealed record ModelResponse
{
    /// <summary>The model name.</summary>
    public required string Name { get; init; }

    /// <summary>The revision (number of committed changes).</summary>
    public required long Revision { get; init; }

    /// <summary>The Production version, if any.</summary>
    public int? ProductionVersion { get; init; }

    /// <summary>Aliases and their versions.</summary>
    public required ImmutableSortedDictionary<string, int> Aliases { get; init; }

    /// <summary>The versions, ascending.</summary>
    public required ImmutableArray<VersionResponse> Versions { get; init; }

    /// <summary>Maps a domain state.</summary>
    public static ModelResponse From(ModelState state)
    {
        var versions = ImmutableArray.CreateBuilder<VersionResponse>(state.Versions.Length);
        foreach (var version in state.Versions)
        {
            versions.Add(VersionResponse.From(state, version));
        }

        return new ModelResponse
        {
            Name = state.Name,
            Revision = state.Revision,
            ProductionVersion = state.Production?.Version,
            Aliases = state.Aliases,
            Versions = versions.MoveToImmutable(),
        };
    }
}
