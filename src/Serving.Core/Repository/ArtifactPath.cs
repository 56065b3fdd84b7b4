namespace Serving.Core.Repository;

/// <summary>Syntax rules for artifact locations: relative, forward slashes, never leaving the repository.</summary>
internal static class ArtifactPath
{
    /// <summary>Returns why <paramref name="path"/> is not an acceptable artifact location, or <see langword="null"/> when it is.</summary>
    /// <remarks>
    /// Refused: empty, absolute (<c>/x</c>, <c>C:\x</c>, <c>\\server</c>), backslashes, empty, <c>.</c> or
    /// <c>..</c> segments, control characters. The model repository additionally checks that the
    /// file, with every symbolic link along its path resolved (<see cref="ResolveLinks(string)"/>), lies
    /// inside its root (the registry's <c>ModelRepository.ResolveArtifact</c>).
    /// </remarks>
    public static string? Validate(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "artifact location is required";
        }

        if (path.Length > 1024)
        {
            return "artifact location is longer than 1024 characters";
        }

        if (Path.IsPathRooted(path) || path.StartsWith('/') || path.Contains(':', StringComparison.Ordinal))
        {
            return $"artifact location '{path}' must be relative to the model repository";
        }

        if (path.Contains('\\', StringComparison.Ordinal))
        {
            return $"artifact location '{path}' must use '/' separators";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                return $"artifact location '{path}' must not contain empty, '.' or '..' segments";
            }

            foreach (var c in segment)
            {
                if (char.IsControl(c))
                {
                    return $"artifact location '{path}' contains a control character";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link along it resolved, directory links
    /// included, as the operating system follows them when the file is opened. Components past the last
    /// existing one are kept as written.
    /// </summary>
    /// <exception cref="IOException">The links loop, or nest deeper than 40 levels.</exception>
    public static string ResolveLinks(string path) => ResolveLinks(path, 0);

    /// <summary>Whether <paramref name="path"/>, with its links resolved, lies strictly inside <paramref name="root"/>, with its links resolved.</summary>
    public static bool IsInside(string root, string path)
    {
        var realRoot = Path.TrimEndingDirectorySeparator(ResolveLinks(root));
        return ResolveLinks(path).StartsWith(realRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static string ResolveLinks(string path, int depth)
    {
        if (depth > 40)
        {
            throw new IOException($"too many levels of symbolic links resolving '{path}'");
        }

        var full = Path.GetFullPath(path);
        var resolved = Path.GetPathRoot(full)!;
        foreach (var segment in full[resolved.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, segment);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                // The target's own directories may be links too.
                next = ResolveLinks(target.FullName, depth + 1);
            }

            resolved = next;
        }

        return resolved;
    }
}
