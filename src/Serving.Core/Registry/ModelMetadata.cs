using System.Collections.Immutable;

namespace Serving.Core.Registry;

/// <summary>The fields of a version's <c>metadata.json</c> that the registry reads (docs/model-repository.md).</summary>
internal sealed record ModelMetadata
{
    /// <summary>Free-text description.</summary>
    public string? Description { get; init; }

    /// <summary>Feature names.</summary>
    public ImmutableArray<string>? Features { get; init; }

    /// <summary>Offline metrics.</summary>
    public ImmutableSortedDictionary<string, double>? Metrics { get; init; }

    /// <summary>Training data fingerprint.</summary>
    public string? TrainingDataFingerprint { get; init; }

    /// <summary>Training code commit.</summary>
    public string? CodeCommit { get; init; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Free-form tags.</summary>
    public ImmutableSortedDictionary<string, string>? Tags { get; init; }
}
