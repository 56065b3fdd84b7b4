namespace Serving.Core.Registry;

/// <summary>Who asks for a change and why; recorded in the audit log.</summary>
/// <param name="Actor">The person or system making the change; <c>anonymous</c> is recorded when absent.</param>
/// <param name="Reason">Why; required for promotions and rollbacks.</param>
internal sealed record ChangeContext(string? Actor, string? Reason)
{
    /// <summary>The actor recorded when none is given.</summary>
    public const string AnonymousActor = "anonymous";

    /// <summary>The actor recorded in the audit log.</summary>
    public string AuditActor => string.IsNullOrWhiteSpace(Actor) ? AnonymousActor : Actor.Trim();

    /// <summary>The reason recorded in the audit log.</summary>
    public string? AuditReason => string.IsNullOrWhiteSpace(Reason) ? null : Reason.Trim();
}
