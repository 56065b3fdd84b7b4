namespace Serving.Core.Registry;

/// <summary>One appended record of a registry change: who, when, what, why, and before/after.</summary>
internal sealed record AuditEntry
{
    /// <summary>The model changed.</summary>
    public required string Model { get; init; }

    /// <summary>The model revision the change produced.</summary>
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
}
