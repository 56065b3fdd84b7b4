using System.Text.Json;

namespace Serving.Core.Repository;

/// <summary>
/// Describes the versions in a model repository (<see cref="RepositoryLayout"/>) for serving.
/// Reading a file can fail (bad JSON): the version is still listed, with the error, so that one bad
/// file never hides the rest of the repository.
/// </summary>
public static class ModelRepositoryScanner
{
    /// <summary>Every version under <paramref name="root"/> (see <see cref="RepositoryLayout.Enumerate"/>), ordered by model then version.</summary>
    public static IReadOnlyList<VersionDescriptor> Scan(string root)
    {
        var found = new List<VersionDescriptor>();
        string? model = null;
        var settings = new ModelSettings();
        foreach (var directory in RepositoryLayout.Enumerate(root))
        {
            if (directory.Model != model)
            {
                model = directory.Model;
                settings = ReadSettings(Path.Combine(root, model, RepositoryLayout.SettingsFileName));
            }
            found.Add(Describe(model, directory.Version, directory.ArtifactPath, settings, expectedSha256: null));
        }
        return found;
    }

    /// <summary>
    /// Describes the version whose graph is <paramref name="modelPath"/>: its <c>metadata.json</c> and
    /// <c>reference.csv</c> are read from beside it, its model's <c>model.json</c> from the repository.
    /// </summary>
    public static VersionDescriptor Describe(string root, string model, int version, string modelPath, string? expectedSha256) =>
        Describe(model, version, modelPath, ReadSettings(Path.Combine(root, model, RepositoryLayout.SettingsFileName)), expectedSha256);

    private static VersionDescriptor Describe(string model, int version, string modelPath, ModelSettings settings, string? expectedSha256)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var (metadata, error) = ReadMetadata(Path.Combine(directory, RepositoryLayout.MetadataFileName));
        var reference = Path.Combine(directory, RepositoryLayout.ReferenceFileName);
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
    public static bool IsValidModelName(string name) => ModelNames.IsValidModel(name);

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
