namespace Serving.Core.Rollouts;

/// <summary>
/// The stable lower-case names of variants, used as the <c>variant</c> metric label and in the
/// <c>x-model-variant</c> response header. Changing one breaks dashboards and alert rules.
/// </summary>
internal static class VariantNames
{
    /// <summary>The model's default version, no rollout in effect.</summary>
    public const string Default = "default";

    /// <summary>The stable version of a canary rollout.</summary>
    public const string Stable = "stable";

    /// <summary>The canary version of a canary rollout.</summary>
    public const string Canary = "canary";

    /// <summary>The active version of a blue-green rollout.</summary>
    public const string Active = "active";

    /// <summary>The preview version of a blue-green rollout.</summary>
    public const string Preview = "preview";

    /// <summary>A shadow copy of a request (never answers the client).</summary>
    public const string Shadow = "shadow";

    /// <summary>The name of <paramref name="variant"/>; a constant, no allocation.</summary>
    public static string Of(RouteVariant variant) => variant switch
    {
        RouteVariant.Stable => Stable,
        RouteVariant.Canary => Canary,
        RouteVariant.Active => Active,
        RouteVariant.Preview => Preview,
        _ => Default,
    };
}
