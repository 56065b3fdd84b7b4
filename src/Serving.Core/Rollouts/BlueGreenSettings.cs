using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>
/// Blue-green mode: every request goes to the active version; the preview version answers only requests
/// that ask for it with <see cref="PreviewHeader"/>. Switching is one atomic policy replacement that swaps
/// the two versions.
/// </summary>
internal sealed record BlueGreenSettings
{
    /// <summary>The default <see cref="PreviewHeader"/>.</summary>
    public const string DefaultPreviewHeader = "x-preview";

    // Defaults live in the constructor: System.Text.Json's source generator sets init-only properties it
    // did not find in the JSON to default(T), overriding property initializers, but honours optional
    // constructor parameters.

    /// <summary>Creates the settings; the object initializer sets the versions.</summary>
    /// <param name="previewHeader">The <see cref="PreviewHeader"/>.</param>
    [JsonConstructor]
    public BlueGreenSettings(string previewHeader = DefaultPreviewHeader)
    {
        PreviewHeader = previewHeader;
    }

    /// <summary>The version that serves all ordinary traffic. Required, at least 1.</summary>
    public int ActiveVersion { get; init; }

    /// <summary>The version reachable with the preview header; null when there is none.</summary>
    public int? PreviewVersion { get; init; }

    /// <summary>The request header that selects the preview when its value is <c>true</c> (case-insensitive).</summary>
    public string PreviewHeader { get; init; }
}
