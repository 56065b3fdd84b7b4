using Serving.Core.Rollouts;

namespace Serving.Gateway.Remote;

/// <summary>
/// The rollout variant a gateway chose for a request it forwards, sent to the worker in <see cref="Header"/>: the
/// worker sees only a request for a version, which alone it would file as <c>default</c>, so its prediction log,
/// performance windows and payload log would not know the canary from the stable version. The gateway replaces
/// any such header a client sent; only a worker (<c>Serving:Role=worker</c>), which takes requests from its
/// gateways alone, trusts it and reads it with <see cref="Parse"/> (docs/rollouts.md, "Rollouts with workers").
/// </summary>
internal static class ForwardedVariant
{
    public const string Header = "x-serving-variant";

    /// <summary>The variant named <paramref name="name"/> (<see cref="VariantNames"/>); <see cref="RouteVariant.Default"/> for any other value.</summary>
    public static RouteVariant Parse(string name) => name switch
    {
        VariantNames.Stable => RouteVariant.Stable,
        VariantNames.Canary => RouteVariant.Canary,
        VariantNames.Active => RouteVariant.Active,
        VariantNames.Preview => RouteVariant.Preview,
        _ => RouteVariant.Default,
    };
}
