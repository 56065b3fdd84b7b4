namespace Serving.Core.Registry;

/// <summary>Syntax rules for artifact locations: relative, forward slashes, never leaving the repository.</summary>
internal static class ArtifactPath
{
    /// <summary>Returns why <paramref name="path"/> is not an acceptable artifact location, or <see langword="null"/> when it is.</summary>
    /// <remarks>
    /// Refused: empty, absolute (<c>/x</c>, <c>C:\x</c>, <c>\\server</c>), backslashes, empty, <c>.</c> or
    /// <c>..</c> segments, control characters. The model repository additionally checks that the
    /// resolved file lies inside its root (<see cref="ModelRepository.ResolveArtifact"/>).
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
}
