namespace Serving.Core.Rollouts;

/// <summary>Where one request goes: the variant and version that answer it, and the version that gets a shadow copy.</summary>
/// <param name="Variant">The role of the answering version.</param>
/// <param name="Version">
/// The version to call; 0 with <see cref="RouteVariant.Default"/> means "the model's default (Production)
/// version, as the registry says".
/// </param>
/// <param name="ShadowVersion">The version to send a copy of the request to, or 0 for none.</param>
internal readonly record struct RouteDecision(RouteVariant Variant, int Version, int ShadowVersion)
{
    /// <summary>Whether a shadow copy of this request is to be sent to <see cref="ShadowVersion"/>.</summary>
    public bool ShouldShadow => ShadowVersion != 0;

    /// <summary>The variant's stable name (<see cref="VariantNames"/>), for headers and metric labels.</summary>
    public string VariantName => VariantNames.Of(Variant);
}
