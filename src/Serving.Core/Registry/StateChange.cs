using System.Collections.Immutable;

namespace Serving.Core.Registry;

/// <summary>The outcome of a pure registry rule: the next state and the audit entries that describe it.</summary>
/// <param name="State">The next state, with <see cref="ModelState.Revision"/> one above the current.</param>
/// <param name="Audit">What changed, in order.</param>
internal sealed record StateChange(ModelState State, ImmutableArray<AuditEntry> Audit);
