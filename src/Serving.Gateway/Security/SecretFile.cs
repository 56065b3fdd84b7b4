using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;

namespace Serving.Gateway.Security;

/// <summary>
/// Reads a secret (the admin token of <c>Serving:AdminTokenFile</c>, an API key's <c>KeyFile</c>) from a file
/// the way Kubernetes mounts a secret: the file is compared with the one in use at most once per
/// <see cref="CheckInterval"/>, by its contents, like the TLS files (<see cref="ReloadingFiles{T}"/>), so a
/// rotated secret takes effect within a second without a restart and a request costs no file-system call.
/// Surrounding whitespace (a trailing newline) is not part of the secret; a missing, unreadable or empty file
/// is no secret (callers refuse), not the previous one.
/// </summary>
internal static class SecretFile
{
    /// <summary>How often, at most, a secret file is read again.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private static readonly ConcurrentDictionary<string, ReloadingFiles<Secret>> Files = new(StringComparer.Ordinal);

    /// <summary>The secret in <paramref name="path"/>; null when the file is missing, unreadable or empty.</summary>
    public static string? Read(string path) =>
        Files.GetOrAdd(path, static p => new ReloadingFiles<Secret>("secret file", [p], CheckInterval, TimeProvider.System,
            () => Load(p), static _ => { }, NullLogger.Instance)).Current.Value;

    private static Secret Load(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return new Secret(text.Length == 0 ? null : text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new Secret(null);
        }
    }

    private sealed record Secret(string? Value);
}
