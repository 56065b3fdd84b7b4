using System.Collections.Concurrent;
using Serving.Gateway.Batching;

namespace Serving.Testing.Common;

/// <summary>
/// Wraps an executor and, while armed, holds the next batch at a gate until the test opens it, so that
/// requests arriving meanwhile queue up behind it: batching observed by construction, not by timing.
/// Records every batch it is given.
/// </summary>
internal sealed class GatedExecutor(IBatchExecutor inner) : IBatchExecutor
{
    private readonly SemaphoreSlim _gate = new(0);
    private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _armed;

    /// <summary>Each batch run, in order: its items and total rows.</summary>
    public ConcurrentQueue<(InferenceWorkItem[] Items, int Rows)> Batches { get; } = new();

    /// <summary>Holds the next batch at the gate; <see cref="WaitUntilHeldAsync"/> completes once it is there.</summary>
    public void Arm()
    {
        _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _armed, 1);
    }

    public Task WaitUntilHeldAsync() => _held.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public void Open() => _gate.Release();

    public string? Execute(IReadOnlyList<InferenceWorkItem> batch, int totalRows)
    {
        Batches.Enqueue(([.. batch], totalRows));
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _held.TrySetResult();
            if (!_gate.Wait(TimeSpan.FromSeconds(60)))
            {
                return "The test never opened the gate.";
            }
        }
        return inner.Execute(batch, totalRows);
    }
}
