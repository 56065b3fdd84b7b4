using System.Collections.Immutable;

namespace Serving.Core.Registry;

/// <summary>One registered version of a model: where its artifact is, what it was trained on, its stage.</summary>
internal sealed record ModelVersion
{
    /// <summary>The version number, a positive integer, unique within the model.</summary>
    public required int Version { get; init; }

    /// <summary>The artifact location relative to the model repository root, e.g. <c>credit-risk/2/model.onnx</c>.</summary>
    public required string Artifact { get; init; }

    /// <summary>Lower-case hex SHA-256 of the artifact's bytes.</summary>
    public required string Sha256 { get; init; }

    /// <summary>When the version was created (metadata.json <c>created</c>, else its registration time).</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>The current stage.</summary>
    public ModelStage Stage { get; init; }

    /// <summary>When <see cref="Stage"/> last changed (the registration time for a new version).</summary>
    public DateTimeOffset StageChanged { get; init; }

    /// <summary>Free-text description.</summary>
    public string? Description { get; init; }

    /// <summary>Names of the feature columns, in input order.</summary>
    public ImmutableArray<string> Features { get; init; } = [];

    /// <summary>Offline metrics on held-out data; the promotion gate compares these.</summary>
    public ImmutableSortedDictionary<string, double> Metrics { get; init; } = ImmutableSortedDictionary<string, double>.Empty;

    /// <summary>Fingerprint of the training data, e.g. <c>sha256:4f1c...</c>.</summary>
    public string? TrainingDataFingerprint { get; init; }

    /// <summary>The commit of the training code.</summary>
    public string? CodeCommit { get; init; }

    /// <summary>Free-form tags.</summary>
    public ImmutableSortedDictionary<string, string> Tags { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}
