namespace Serving.Testing.Common;

/// <summary>Waits for a condition the test caused but cannot await directly. The timeout guards against hangs; no test asserts on elapsed time.</summary>
internal static class Polling
{
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }
            await Task.Delay(5);
        }
    }

    /// <summary>The same, for a condition that has to ask a server (e.g. Alertmanager's API).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }
            await Task.Delay(20);
        }
    }
}
