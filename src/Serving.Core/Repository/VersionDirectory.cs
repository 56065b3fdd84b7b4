namespace Serving.Core.Repository;

/// <summary>
/// A version directory of the model repository that holds an artifact: <paramref name="Path"/> is the
/// absolute <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;</c> and <paramref name="ArtifactPath"/> its <c>model.onnx</c>.
/// </summary>
public sealed record VersionDirectory(string Model, int Version, string Path, string ArtifactPath);
