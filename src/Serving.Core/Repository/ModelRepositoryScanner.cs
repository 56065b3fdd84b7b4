using System.Globalization;
using System.Text.Json;

namespace Serving.Core.Repository;

/// <summary>
/// Finds the versions in a model repository laid out as <c>&lt;model&gt;/&lt;version&gt;/model.onnx</c>.
/// Reading a file can fail (bad JSON): the version is still listed, with the error, so that one bad
/// file never hides the rest of the repository.
/// </summary>
public static class ModelRepositoryScanner
{
    /// <summary>Every version under <paramref name="root"/>, ordered by model then version.</summary>
    public static IReadOnlyList<VersionDescriptor> Scan(string root)
    {
        var found = new List<VersionDescriptor>();
        if (!System.IO.Directory.Exists(root))
        {
            return found;
        }
        foreach (var modelDir in System.IO.Directory.EnumerateDirectories(root))
        {
            var model = Path.GetFileName(modelDir);
            if (!IsValidModelName(model))
            {
                continue;
            }
            var settings = ReadSettings(Path.Combine(modelDir, "model.json"));
            foreach (var versionDir in System.IO.Directory.EnumerateDirectories(modelDir))
            {
                if (!int.TryParse(Path.GetFileName(versionDir), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0)
                {
                    continue;
                }
                var modelPath = Path.Combine(versionDir, "model.onnx");
                if (!File.Exists(modelPath) || !IsInsideRepository(root, modelPath))
                {
                    continue;
                }
                found.Add(Describe(model, version, modelPath, settings, expectedSha256: null));
            }
        }
        found.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Model, b.Model);
            return byName != 0 ? byName : a.Version.CompareTo(b.Version);
        });
        return found;
    }

    /// <summary>
    /// Whether <paramref name="path"/> stays inside the repository at <paramref name="root"/> once every
    /// symbolic link along it (directory links included) is resolved: a version reached through a link that
    /// leaves the repository is not served. A path whose links loop is outside.
    /// </summary>
    public static bool IsInsideRepository(string root, string path)
    {
        try
        {
            return Serving.Core.Registry.ArtifactPath.IsInside(root, path);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Describes the version whose graph is <paramref name="modelPath"/>: its <c>metadata.json</c> and
    /// <c>reference.csv</c> are read from beside it, its model's <c>model.json</c> from the repository.
    /// </summary>
    public static VersionDescriptor Describe(string root, string model, int version, string modelPath, string? expectedSha256) =>
        Describe(model, version, modelPath, ReadSettings(Path.Combine(root, model, "model.json")), expectedSha256);

    private static VersionDescriptor Describe(string model, int version, string modelPath, ModelSettings settings, string? expectedSha256)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var (metadata, error) = ReadMetadata(Path.Combine(directory, "metadata.json"));
        var reference = Path.Combine(directory, "reference.csv");
        return new VersionDescriptor
        {
            Model = model,
            Version = version,
            ModelPath = Path.GetFullPath(modelPath),
            Directory = directory,
            Metadata = metadata,
            MetadataError = error,
            Settings = settings,
            ReferencePath = File.Exists(reference) ? reference : null,
            ExpectedSha256 = expectedSha256,
        };
    }

    /// <summary>Whether <paramref name="name"/> is a model name the gateway serves (the registry's rule).</summary>
    public static bool IsValidModelName(string name) => Registry.ModelNames.IsValidModel(name);

    private static (VersionMetadata Metadata, string? Error) ReadMetadata(string path)
    {
        if (!File.Exists(path))
        {
            return (new VersionMetadata(), null);
        }
        try
        {
            using var stream = File.OpenRead(path);
            var metadata = JsonSerializer.Deserialize(stream, RepositoryJsonContext.Default.VersionMetadata);
            return (metadata ?? new VersionMetadata(), null);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return (new VersionMetadata(), $"metadata.json could not be read: {ex.Message}");
        }
    }

    private static ModelSettings ReadSettings(string path)
    {
        if (!File.Exists(path))
        {
            return new ModelSettings();
        }
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, RepositoryJsonContext.Default.ModelSettings) ?? new ModelSettings();
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return new ModelSettings();
        }
    }
}
