namespace Serving.Core.Rollouts;

/// <summary>The role of the version a request was routed to. <see cref="VariantNames"/> has the label of each.</summary>
internal enum RouteVariant
{
    /// <summary>No rollout: the model's default (Production) version.</summary>
    Default,

    /// <summary>Canary mode, the stable version.</summary>
    Stable,

    /// <summary>Canary mode, the canary version.</summary>
    Canary,

    /// <summary>Blue-green mode, the active version.</summary>
    Active,

    /// <summary>Blue-green mode, the preview version (asked for explicitly).</summary>
    Preview,
}
