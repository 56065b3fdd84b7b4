namespace Serving.Gateway.Hosting;

/// <summary>One model's last known content, written back by <see cref="RedisEpoch.RestoreAsync"/>.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Revision">Its revision (the compare-and-swap token).</param>
/// <param name="Json">The stored JSON (a model state or a rollout policy).</param>
/// <param name="AuditEntry">The audit entry that records the restore, as stored; null when the store keeps no audit.</param>
internal sealed record RestoredItem(string Model, long Revision, string Json, string? AuditEntry);
