using System.Collections.Immutable;

namespace Serving.Core.Registry;

/// <summary>A model directory found in the model repository and its version directories that have a <c>model.onnx</c>.</summary>
/// <param name="Name">The model (directory) name.</param>
/// <param name="Versions">The versions, each with its number, artifact location, hash and metadata.</param>
internal sealed record RepositoryModel(string Name, ImmutableArray<VersionRegistration> Versions);
