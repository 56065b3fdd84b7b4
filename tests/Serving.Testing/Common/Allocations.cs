using Xunit;

namespace Serving.Testing.Common;

/// <summary>Measures what a warm call allocates on the managed heap, for the request path's 0 B budgets.</summary>
internal static class Allocations
{
    /// <summary>
    /// Bytes allocated on this thread by 1,000 calls of <paramref name="call"/> (each must return true) after
    /// 1,000 to warm up: the fewest of five rounds, since a round that overlaps tiered-JIT recompilation or a
    /// runtime-internal allocation on this thread is not the code's doing.
    /// </summary>
    public static long FewestBytes(Func<bool> call)
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(call());
        }
        var fewest = long.MaxValue;
        for (var round = 0; round < 5 && fewest > 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var ok = true;
            for (var i = 0; i < 1000; i++)
            {
                ok &= call();
            }
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.True(ok);
        }
        return fewest;
    }
}
