using System.Globalization;
using Serving.Gateway.Metrics;

namespace Serving.Gateway.Inference;

/// <summary>
/// The GPU memory that CUDA versions may reserve together (<c>Serving:OnnxRuntime:GpuMemoryBudgetBytes</c>).
/// Each CUDA version reserves its arena limit (<c>GpuMemoryLimitBytes</c>) before its session is created and
/// gives it back when it is unloaded; a load that would take the total past the budget is refused with a
/// reason that names the versions holding it. Loads happen one at a time, but unloads drain on other threads,
/// hence the lock. Published as <c>serving_gpu_memory_limit_bytes</c> per version and
/// <c>serving_gpu_memory_budget_bytes</c> / <c>serving_gpu_memory_reserved_bytes</c>.
/// </summary>
internal sealed class GpuMemoryBudget
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Model, int Version), long> _held = [];
    private readonly long _budget;
    private long _reserved;

    /// <param name="budget">Bytes all versions may reserve together; 0 for no total budget.</param>
    public GpuMemoryBudget(long budget)
    {
        _budget = budget;
        ServingMetrics.GpuMemoryBudget.Set(budget);
    }

    /// <summary>Bytes reserved now.</summary>
    public long Reserved
    {
        get
        {
            lock (_lock)
            {
                return _reserved;
            }
        }
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> for a version, or refuses (null, with the reason) when that would
    /// exceed the budget. A reservation of 0 bytes (no per-version limit) is never refused and reserves nothing.
    /// </summary>
    public Reservation? TryReserve(string model, int version, long bytes, out string? refusal)
    {
        refusal = null;
        lock (_lock)
        {
            if (_budget > 0 && bytes > 0 && _reserved + bytes > _budget)
            {
                refusal = Refusal(model, version, bytes);
                return null;
            }
            _reserved += bytes;
            _held[(model, version)] = bytes;
            ServingMetrics.GpuMemoryReserved.Set(_reserved);
        }
        ServingMetrics.GpuMemoryLimit.WithLabels(model, version.ToString(CultureInfo.InvariantCulture)).Set(bytes);
        return new Reservation(this, model, version, bytes);
    }

    private void Release(string model, int version, long bytes)
    {
        lock (_lock)
        {
            _reserved -= bytes;
            _held.Remove((model, version));
            ServingMetrics.GpuMemoryReserved.Set(_reserved);
        }
        ServingMetrics.GpuMemoryLimit.RemoveLabelled(model, version.ToString(CultureInfo.InvariantCulture));
    }

    private string Refusal(string model, int version, long bytes)
    {
        var holders = new List<string>(_held.Count);
        foreach (var ((heldModel, heldVersion), heldBytes) in _held)
        {
            holders.Add($"{heldModel}/{heldVersion} {Mib(heldBytes)}");
        }
        var by = holders.Count > 0 ? $" ({string.Join(", ", holders)})" : "";
        return $"GPU memory budget exceeded: {model}/{version} needs {Mib(bytes)} (Serving:OnnxRuntime:GpuMemoryLimitBytes), "
            + $"{Mib(_reserved)} of the {Mib(_budget)} budget (Serving:OnnxRuntime:GpuMemoryBudgetBytes) is reserved{by}. "
            + "Unload a version, lower the limit or raise the budget.";
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB";

    /// <summary>One version's share of the budget; disposing it (when the version is unloaded) gives it back.</summary>
    internal sealed class Reservation(GpuMemoryBudget budget, string model, int version, long bytes) : IDisposable
    {
        private int _released;

        public long Bytes => bytes;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                budget.Release(model, version, bytes);
            }
        }
    }
}
