using Serving.Core.Registry;

namespace Serving.Gateway.Storage;

/// <summary>One model's last known content, written back by <see cref="RedisEpoch.RestoreAsync"/>.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Revision">Its revision (the compare-and-swap token).</param>
/// <param name="Json">The stored JSON (a model state or a rollout policy).</param>
/// <param name="AuditEntry">The audit entry that records the restore (chained to the model's trail when written); null for none.</param>
internal sealed record RestoredItem(string Model, long Revision, string Json, AuditEntry? AuditEntry);
