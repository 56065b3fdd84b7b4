using Serving.Testing.Common;

namespace Serving.Functional.Tests.Common;

/// <summary>
/// A model repository in a temporary directory holding credit-risk's versions 1 and 2 under another model
/// name, so that a test may break its files, and its process-wide metrics (labelled by model) are its own.
/// </summary>
internal sealed class CopiedRepository : IDisposable
{
    public CopiedRepository(string model)
    {
        Model = model;
        Root = Directory.CreateTempSubdirectory("serving-copied-repo-").FullName;
        File.Copy(Path.Combine(RepositoryPaths.Models, "credit-risk", "model.json"), Path.Combine(Root, model, "model.json").CreateParent());
        foreach (var version in (int[])[1, 2])
        {
            foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Models, "credit-risk", version.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            {
                File.Copy(file, ArtifactPath(version, Path.GetFileName(file)).CreateParent());
            }
        }
    }

    public string Model { get; }

    public string Root { get; }

    /// <summary>The path of <paramref name="file"/> in version <paramref name="version"/>'s directory.</summary>
    public string ArtifactPath(int version, string file = "model.onnx") =>
        Path.Combine(Root, Model, version.ToString(System.Globalization.CultureInfo.InvariantCulture), file);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>Path helpers for <see cref="CopiedRepository"/>.</summary>
internal static class PathExtensions
{
    /// <summary>Creates the directory that holds <paramref name="path"/>; returns the path.</summary>
    public static string CreateParent(this string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
