namespace Serving.Gateway.Admin;

/// <summary>
/// Reads the admin token from <c>Serving:AdminTokenFile</c>, the way Kubernetes mounts a secret: the file
/// is read again whenever its modification time changes (a rotated secret takes effect without a
/// restart), surrounding whitespace (a trailing newline) is not part of the token.
/// </summary>
internal static class AdminTokenFile
{
    private static Cached? s_cached;

    /// <summary>The token in <paramref name="path"/>; null when the file is missing, unreadable or empty.</summary>
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
        var cached = Volatile.Read(ref s_cached);
        if (cached is not null && cached.Path == path && cached.Written == written)
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
        Volatile.Write(ref s_cached, new Cached(path, written, token));
        return token;
    }

    private sealed record Cached(string Path, DateTime Written, string? Token);
}
