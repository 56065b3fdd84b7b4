namespace Serving.Core.Registry;

/// <summary>
/// One appended record of a change to a model, in the registry or in its rollout: who, when, what, why,
/// and before/after. Entries form a hash chain (see <see cref="AuditChain"/>): each carries the hash of
/// the entry before it and its own.
/// </summary>
internal sealed record AuditEntry
{
    /// <summary>The model changed.</summary>
    public required string Model { get; init; }

    /// <summary>The revision the change produced: the model's for registry changes, the rollout policy's for rollout changes.</summary>
    public required long Revision { get; init; }

    /// <summary>When the change was applied.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Who made (or approved) the change.</summary>
    public required string Actor { get; init; }

    /// <summary>What kind of change.</summary>
    public required AuditAction Action { get; init; }

    /// <summary>The version concerned, when there is one.</summary>
    public int? Version { get; init; }

    /// <summary>The alias concerned, for alias changes.</summary>
    public string? Alias { get; init; }

    /// <summary>The value before: a stage, or the version an alias pointed at.</summary>
    public string? Before { get; init; }

    /// <summary>The value after: a stage, or the version an alias points at.</summary>
    public string? After { get; init; }

    /// <summary>Why.</summary>
    public string? Reason { get; init; }

    /// <summary>Whether the promotion gate was overridden.</summary>
    public bool Forced { get; init; }

    /// <summary>Why the gate was overridden.</summary>
    public string? ForceReason { get; init; }

    /// <summary>The <see cref="Hash"/> of the entry before this one (<see cref="AuditChain.Genesis"/> for the first).</summary>
    public string? Previous { get; init; }

    /// <summary>The SHA-256 (hex) of this entry's canonical bytes, <see cref="Previous"/> included (see <see cref="AuditChain"/>).</summary>
    public string? Hash { get; init; }
}
