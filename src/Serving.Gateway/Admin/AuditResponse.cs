using Serving.Core.Registry;

namespace Serving.Gateway.Admin;

/// <summary>The answer of <c>GET /admin/models/{model}/audit</c>.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Entries">The audit log, oldest first.</param>
internal sealed record AuditResponse(string Model, IReadOnlyList<AuditEntry> Entries);
