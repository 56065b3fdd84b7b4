using System.Globalization;
using Serving.Core.Storage;

namespace Serving.Core.Rollouts;

/// <summary>The errors every rollout store (file, Redis) and the admin API report in the same words.</summary>
internal static class RolloutStoreErrors
{
    /// <summary>The model has no rollout policy.</summary>
    public static StoreError NotFound(string model) => new(StoreErrorCode.NotFound, $"no rollout policy for model '{model}'");

    /// <summary>The stored revision is <paramref name="current"/>, not the <paramref name="expected"/> one the write was based on.</summary>
    public static StoreError Conflict(string model, long expected, long current) => new(StoreErrorCode.Conflict, string.Create(CultureInfo.InvariantCulture,
        $"the rollout policy of '{model}' is at revision {current}, not {expected}: it changed since it was read; re-read it and retry"));
}
