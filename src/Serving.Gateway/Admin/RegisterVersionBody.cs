using System.Collections.Immutable;

namespace Serving.Gateway.Admin;

/// <summary>
/// The body of <c>POST /admin/models/{model}/versions</c>. Only <see cref="Artifact"/> is required;
/// fields left out are taken from the <c>metadata.json</c> beside the artifact.
/// </summary>
internal sealed record RegisterVersionBody
{
    /// <summary>The version number; absent: the next after the highest.</summary>
    public int? Version { get; init; }

    /// <summary>The artifact location relative to the model repository, e.g. <c>credit-risk/3/model.onnx</c>.</summary>
    public string? Artifact { get; init; }

    /// <summary>Expected SHA-256; when given it must match the artifact.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Description.</summary>
    public string? Description { get; init; }

    /// <summary>Feature names.</summary>
    public ImmutableArray<string>? Features { get; init; }

    /// <summary>Offline metrics.</summary>
    public ImmutableSortedDictionary<string, double>? Metrics { get; init; }

    /// <summary>Training data fingerprint.</summary>
    public string? TrainingDataFingerprint { get; init; }

    /// <summary>Training code commit.</summary>
    public string? CodeCommit { get; init; }

    /// <summary>Tags.</summary>
    public ImmutableSortedDictionary<string, string>? Tags { get; init; }

    /// <summary>Who registers.</summary>
    public string? Actor { get; init; }

    /// <summary>Why.</summary>
    public string? Reason { get; init; }
}
