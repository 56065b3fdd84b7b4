using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>Holds the current weight for a while, or until an operator resumes.</summary>
internal sealed record PauseStep : RolloutStep
{
    /// <summary>How long to hold; null holds until resumed. JSON: <c>duration_seconds</c>.</summary>
    [JsonPropertyName("duration_seconds")]
    [JsonConverter(typeof(NullableSecondsConverter))]
    public TimeSpan? Duration { get; init; }
}
