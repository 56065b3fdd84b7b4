using System.Collections.Immutable;

namespace Serving.Core.Registry;

/// <summary>What <see cref="FileRegistryStore"/> keeps per model in one file, so state and audit change together.</summary>
/// <param name="State">The model state.</param>
/// <param name="Audit">Empty: the audit lives in <see cref="FileAuditTrail"/>; documents written before it existed kept it here.</param>
internal sealed record ModelDocument(ModelState State, ImmutableArray<AuditEntry> Audit);
