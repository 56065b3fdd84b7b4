using System.Collections.Immutable;

namespace Serving.Core.Registry;

/// <summary>What is needed to register a version (validated and hashed by the caller).</summary>
internal sealed record VersionRegistration
{
    /// <summary>The version number; <see langword="null"/> takes the next after the highest registered.</summary>
    public int? Version { get; init; }

    /// <summary>The artifact location relative to the model repository root.</summary>
    public required string Artifact { get; init; }

    /// <summary>Lower-case hex SHA-256 of the artifact.</summary>
    public required string Sha256 { get; init; }

    /// <summary>When the version was created; <see langword="null"/> records the registration time.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Free-text description.</summary>
    public string? Description { get; init; }

    /// <summary>Feature names.</summary>
    public ImmutableArray<string> Features { get; init; } = [];

    /// <summary>Offline metrics.</summary>
    public ImmutableSortedDictionary<string, double> Metrics { get; init; } = ImmutableSortedDictionary<string, double>.Empty;

    /// <summary>Training data fingerprint.</summary>
    public string? TrainingDataFingerprint { get; init; }

    /// <summary>Training code commit.</summary>
    public string? CodeCommit { get; init; }

    /// <summary>Free-form tags.</summary>
    public ImmutableSortedDictionary<string, string> Tags { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}
