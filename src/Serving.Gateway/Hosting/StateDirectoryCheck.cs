using Serving.Gateway.Storage;

namespace Serving.Gateway.Hosting;

/// <summary>
/// Checks at start-up that the process can write its state directory (<c>Serving:StateDirectory</c>,
/// default <c>state</c> under the working directory), where the file registry and rollout stores live
/// when <c>Serving:Redis</c> is not set. A process that cannot write it stops at once with a message
/// naming the setting, instead of failing later inside a hosted service with a bare
/// <see cref="UnauthorizedAccessException"/>.
/// </summary>
public static class StateDirectoryCheck
{
    /// <summary>The exit code of a process whose state directory is not writable: that of any invalid setting.</summary>
    public const int ExitCode = InvalidSettings.ExitCode;

    /// <summary>Null when the state directory is writable or not used; else what is wrong and how to fix it.</summary>
    public static string? Problem(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = StorageOptions.From(configuration);
        if (storage.Redis is not null)
        {
            return null;
        }
        var directory = Path.GetFullPath(storage.StateDirectory);
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".write-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return $"Serving:StateDirectory '{directory}' is not writable by this process ({ex.Message}). " +
                "Set Serving:StateDirectory (environment variable Serving__StateDirectory) to a writable directory, " +
                "such as the volume /var/lib/serving of the container image, or set Serving:Redis to keep the state in Redis.";
        }
    }
}
