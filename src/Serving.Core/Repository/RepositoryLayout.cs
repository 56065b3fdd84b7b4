using System.Globalization;

namespace Serving.Core.Repository;

/// <summary>
/// The on-disk layout of the model repository (docs/model-repository.md):
/// <c>&lt;model&gt;/&lt;version&gt;/model.onnx</c> with <c>metadata.json</c> and <c>reference.csv</c> beside the
/// graph and <c>model.json</c> in the model directory. The one reader of that layout: the registry
/// (<c>Registry/ModelRepository</c>) and the served-version scanner (<see cref="ModelRepositoryScanner"/>) both
/// enumerate through it.
/// </summary>
public static class RepositoryLayout
{
    /// <summary>The artifact (graph) file name of a version directory.</summary>
    public const string ArtifactFileName = "model.onnx";

    /// <summary>The metadata file name of a version directory.</summary>
    public const string MetadataFileName = "metadata.json";

    /// <summary>The reference-data file name of a version directory (drift baseline).</summary>
    public const string ReferenceFileName = "reference.csv";

    /// <summary>The per-model settings file name of a model directory.</summary>
    public const string SettingsFileName = "model.json";

    /// <summary>
    /// Every version directory under <paramref name="root"/> that holds an artifact, ordered by model
    /// (ordinal) then version. A model directory counts when its name is a valid model name, a version
    /// directory when its name is a positive integer written canonically (<c>7</c>, not <c>07</c>), and
    /// an artifact when it stays inside the repository once every symbolic link along it is resolved.
    /// A missing root has no versions.
    /// </summary>
    public static IReadOnlyList<VersionDirectory> Enumerate(string root)
    {
        var found = new List<VersionDirectory>();
        if (!Directory.Exists(root))
        {
            return found;
        }

        foreach (var modelDirectory in Directory.EnumerateDirectories(root))
        {
            var model = Path.GetFileName(modelDirectory);
            if (!ModelNames.IsValidModel(model))
            {
                continue;
            }

            foreach (var versionDirectory in Directory.EnumerateDirectories(modelDirectory))
            {
                var versionName = Path.GetFileName(versionDirectory);
                if (!int.TryParse(versionName, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version <= 0 ||
                    versionName != version.ToString(CultureInfo.InvariantCulture))
                {
                    continue;
                }

                var artifact = Path.Combine(versionDirectory, ArtifactFileName);
                if (File.Exists(artifact) && IsInside(root, artifact))
                {
                    found.Add(new VersionDirectory(model, version, Path.GetFullPath(versionDirectory), Path.GetFullPath(artifact)));
                }
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
    /// leaves the repository is not read. A path whose links loop is outside.
    /// </summary>
    private static bool IsInside(string root, string path)
    {
        try
        {
            return ArtifactPath.IsInside(root, path);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
