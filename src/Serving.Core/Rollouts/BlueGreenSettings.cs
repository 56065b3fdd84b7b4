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

    /// <summary>The version that serves all ordinary traffic. Required, at least 1.</summary>
    public int ActiveVersion { get; init; }

    /// <summary>The version reachable with the preview header; null when there is none.</summary>
    public int? PreviewVersion { get; init; }

    /// <summary>The request header that selects the preview when its value is <c>true</c> (case-insensitive).</summary>
    public string PreviewHeader { get; init; } = DefaultPreviewHeader;
}
