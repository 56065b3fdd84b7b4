namespace Serving.Gateway.Security;

/// <summary>
/// Reads a secret (the admin token of <c>Serving:AdminTokenFile</c>, an API key's <c>KeyFile</c>) from a file
/// the way Kubernetes mounts a secret: the file is read again whenever its modification time changes (a
/// rotated secret takes effect without a restart), surrounding whitespace (a trailing newline) is not part
/// of the secret.
/// </summary>
internal static class SecretFile
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Cached> Cache = new(StringComparer.Ordinal);

    /// <summary>The secret in <paramref name="path"/>; null when the file is missing, unreadable or empty.</summary>
    public static string? Read(string path)
    {
        DateTime written;
        try
        {
            written = File.GetLastWriteTimeUtc(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (Cache.TryGetValue(path, out var cached) && cached.Written == written)
        {
            return cached.Token;
        }
        string? token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        token = token.Length == 0 ? null : token;
        Cache[path] = new Cached(written, token);
        return token;
    }

    private sealed record Cached(DateTime Written, string? Token);
}
