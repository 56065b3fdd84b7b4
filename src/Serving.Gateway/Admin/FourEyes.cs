using Serving.Core.Registry;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Admin;

/// <summary>
/// The four-eyes rule (<c>Serving:Admin:RequireDistinctApprover</c>, default off): a promotion to Production
/// (a stage transition, or a rollout's <c>promote</c>) must be approved by a named identity other than the
/// one that registered the version. Free-text names prove nothing, so with the rule on only named
/// identities (<c>Serving:Admin:Identities</c>, by token or client certificate) may promote.
/// </summary>
internal static class FourEyes
{
    /// <summary>The configuration key of the rule.</summary>
    public const string RequireDistinctApproverKey = "Serving:Admin:RequireDistinctApprover";

    /// <summary>The refusal (403) when the rule is on and the caller may not approve <paramref name="version"/>; otherwise null.</summary>
    public static async Task<IResult?> RefuseAsync(HttpContext context, IRegistryStore store, string model, int version)
    {
        if (!context.RequestServices.GetRequiredService<IConfiguration>().GetValue<bool>(RequireDistinctApproverKey))
        {
            return null;
        }
        if (AdminIdentity.ActorOr(context, null) is not { } approver)
        {
            return AdminResults.Error(StatusCodes.Status403Forbidden,
                $"{RequireDistinctApproverKey} is on: a promotion needs a named admin identity (Serving:Admin:Identities), not a shared token or a name in the body");
        }
        var audit = await store.GetAuditAsync(model, context.RequestAborted).ConfigureAwait(false);
        string? registrant = null;
        foreach (var entry in audit)
        {
            if (entry.Action == AuditAction.Register && entry.Version == version)
            {
                registrant = entry.Actor;
            }
        }
        return string.Equals(registrant, approver, StringComparison.Ordinal)
            ? AdminResults.Error(StatusCodes.Status403Forbidden,
                $"four eyes ({RequireDistinctApproverKey}): '{registrant}' registered {model} version {version}, so the approver must be someone else, not '{approver}'")
            : null;
    }

    /// <summary>
    /// Endpoint filter of a rollout's <c>promote</c>: applies the rule to the canary version of the model's
    /// policy (a policy without one is left to the endpoint, which says so).
    /// </summary>
    public static async ValueTask<object?> RolloutPromoteFilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (context.GetRouteValue("model") is string model
            && await context.RequestServices.GetRequiredService<IRolloutStore>().GetAsync(model, context.RequestAborted).ConfigureAwait(false)
                is { Canary.CanaryVersion: { } canary }
            && await RefuseAsync(context, context.RequestServices.GetRequiredService<IRegistryStore>(), model, canary).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }
        return await next(invocation).ConfigureAwait(false);
    }
}
