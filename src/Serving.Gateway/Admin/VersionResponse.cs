using System.Collections.Immutable;
using Serving.Core.Registry;

namespace Serving.Gateway.Admin;

/// <summary>One version as the admin API shows it.</summary>
internal sealed record VersionResponse
{
    /// <summary>The model name.</summary>
    public required string Model { get; init; }

    /// <summary>The version number.</summary>
    public required int Version { get; init; }

    /// <summary>The stage.</summary>
    public required ModelStage Stage { get; init; }

    /// <summary>The artifact location relative to the model repository.</summary>
    public required string Artifact { get; init; }

    /// <summary>SHA-256 of the artifact.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Creation time.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When the stage last changed.</summary>
    public required DateTimeOffset StageChanged { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>Feature names.</summary>
    public required ImmutableArray<string> Features { get; init; }

    /// <summary>Offline metrics.</summary>
    public required ImmutableSortedDictionary<string, double> Metrics { get; init; }

    /// <summary>Training data fingerprint.</summary>
    public string? TrainingDataFingerprint { get; init; }

    /// <summary>Training code commit.</summary>
    public string? CodeCommit { get; init; }

    /// <summary>Tags.</summary>
    public required ImmutableSortedDictionary<string, string> Tags { get; init; }

    /// <summary>The aliases that point at this version.</summary>
    public required ImmutableArray<string> Aliases { get; init; }

    /// <summary>Maps a domain version.</summary>
    public static VersionResponse From(ModelState state, ModelVersion version)
    {
        var aliases = ImmutableArray.CreateBuilder<string>();
        foreach (var (alias, target) in state.Aliases)
        {
            if (target == version.Version)
            {
                aliases.Add(alias);
            }
        }

        return new VersionResponse
        {
            Model = state.Name,
            Version = version.Version,
            Stage = version.Stage,
            Artifact = version.Artifact,
            Sha256 = version.Sha256,
            Created = version.Created,
            StageChanged = version.StageChanged,
            Description = version.Description,
            Features = version.Features,
            Metrics = version.Metrics,
            TrainingDataFingerprint = version.TrainingDataFingerprint,
            CodeCommit = version.CodeCommit,
            Tags = version.Tags,
            Aliases = aliases.ToImmutable(),
        };
    }
}
