using System.Text.Json.Serialization;

namespace Serving.Core.Repository;

/// <summary>The contents of a version's <c>metadata.json</c> (docs/model-repository.md). Every field is optional.</summary>
public sealed record VersionMetadata
{
    /// <summary>What the version is.</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>Names of the columns of <see cref="FeatureInput"/>.</summary>
    [JsonPropertyName("features")]
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>The input whose columns are the features.</summary>
    [JsonPropertyName("feature_input")]
    public string? FeatureInput { get; init; }

    /// <summary>The output drift monitoring tracks as the prediction.</summary>
    [JsonPropertyName("prediction_output")]
    public string? PredictionOutput { get; init; }

    /// <summary>Offline metrics on held-out data.</summary>
    [JsonPropertyName("metrics")]
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>Fingerprint of the training data.</summary>
    [JsonPropertyName("training_data_fingerprint")]
    public string? TrainingDataFingerprint { get; init; }

    /// <summary>The code commit that produced the version.</summary>
    [JsonPropertyName("code_commit")]
    public string? CodeCommit { get; init; }

    /// <summary>When the version was produced.</summary>
    [JsonPropertyName("created")]
    public DateTimeOffset? Created { get; init; }

    /// <summary>Free-form tags.</summary>
    [JsonPropertyName("tags")]
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
