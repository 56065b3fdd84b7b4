namespace Serving.Gateway.Admin;

/// <summary>
/// The named admin identity (<c>Serving:Admin:Identities:{name}</c>) that <see cref="AdminAuthFilter"/>
/// authenticated for a request. When there is one, it is the actor of every change the request makes,
/// whatever the body says.
/// </summary>
internal static class AdminIdentity
{
    private static readonly object Key = new();

    public static void Set(HttpContext context, string name) => context.Items[Key] = name;

    /// <summary>The authenticated identity's name, or <paramref name="fromBody"/> when the caller has no named identity.</summary>
    public static string? ActorOr(HttpContext context, string? fromBody) =>
        context.Items.TryGetValue(Key, out var name) ? (string?)name : fromBody;
}
