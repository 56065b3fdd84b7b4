using Serving.Gateway.Inference;

namespace Serving.Gateway.Tests.Inference;

/// <summary>
/// The GPU memory budget CUDA versions reserve their arena limits from: loads beyond it are refused with a
/// reason naming who holds it, and an unloaded version's share is free again.
/// </summary>
public sealed class GpuMemoryBudgetTests
{
    private const long Gib = 1024L * 1024 * 1024;

    [Fact]
    public void TryReserve_WithinBudget_ReservesAndCounts()
    {
        var budget = new GpuMemoryBudget(10 * Gib);

        using var first = budget.TryReserve("resnet", 1, 4 * Gib, out var refusal1);
        using var second = budget.TryReserve("resnet", 2, 6 * Gib, out var refusal2);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(refusal1);
        Assert.Null(refusal2);
        Assert.Equal(10 * Gib, budget.Reserved);
    }

    [Fact]
    public void TryReserve_BeyondBudget_RefusedWithTheNeedTheBudgetAndTheHolders()
    {
        var budget = new GpuMemoryBudget(10 * Gib);
        using var held = budget.TryReserve("resnet", 1, 8 * Gib, out _);

        var refused = budget.TryReserve("bert", 3, 4 * Gib, out var refusal);

        Assert.Null(refused);
        Assert.Equal(8 * Gib, budget.Reserved);
        Assert.Contains("GPU memory budget exceeded: bert/3 needs 4096 MiB", refusal, StringComparison.Ordinal);
        Assert.Contains("8192 MiB of the 10240 MiB budget", refusal, StringComparison.Ordinal);
        Assert.Contains("resnet/1 8192 MiB", refusal, StringComparison.Ordinal);
        Assert.Contains("Serving:OnnxRuntime:GpuMemoryBudgetBytes", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_OfAReservation_FreesItsShareOnce()
    {
        var budget = new GpuMemoryBudget(10 * Gib);
        var held = budget.TryReserve("resnet", 1, 8 * Gib, out _)!;
        using var other = budget.TryReserve("resnet", 2, 2 * Gib, out _);

        held.Dispose();
        held.Dispose();
        using var next = budget.TryReserve("bert", 3, 8 * Gib, out var refusal);

        Assert.NotNull(next);
        Assert.Null(refusal);
        Assert.Equal(10 * Gib, budget.Reserved);
    }

    [Fact]
    public void TryReserve_NoBudget_NeverRefuses()
    {
        var budget = new GpuMemoryBudget(0);

        using var reservation = budget.TryReserve("resnet", 1, 500 * Gib, out var refusal);

        Assert.NotNull(reservation);
        Assert.Null(refusal);
    }

    [Fact]
    public void TryReserve_NoPerVersionLimit_ReservesNothingAndIsNotRefused()
    {
        var budget = new GpuMemoryBudget(1 * Gib);
        using var full = budget.TryReserve("resnet", 1, 1 * Gib, out _);

        using var unlimited = budget.TryReserve("resnet", 2, 0, out var refusal);

        Assert.NotNull(unlimited);
        Assert.Null(refusal);
        Assert.Equal(1 * Gib, budget.Reserved);
    }
}
