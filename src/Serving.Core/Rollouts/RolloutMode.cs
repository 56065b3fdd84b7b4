using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>How a model's requests are split between its versions.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RolloutMode>))]
internal enum RolloutMode
{
    /// <summary>No split: every request goes to the model's default (Production) version.</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>A weighted split between a stable and a canary version, sticky per routing key.</summary>
    [JsonStringEnumMemberName("canary")]
    Canary,

    /// <summary>All traffic on the active version; the preview version only for requests that ask for it.</summary>
    [JsonStringEnumMemberName("blue_green")]
    BlueGreen,
}
