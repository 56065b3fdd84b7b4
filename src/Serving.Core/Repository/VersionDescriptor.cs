namespace Serving.Core.Repository;

/// <summary>A version found in the model repository: where its files are and what its metadata says.</summary>
public sealed record VersionDescriptor
{
    /// <summary>Model name (the directory name).</summary>
    public required string Model { get; init; }

    /// <summary>Version number (the directory name).</summary>
    public required int Version { get; init; }

    /// <summary>Absolute path of <c>model.onnx</c>.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Absolute path of the version directory.</summary>
    public required string Directory { get; init; }

    /// <summary>Parsed <c>metadata.json</c> (empty when absent).</summary>
    public required VersionMetadata Metadata { get; init; }

    /// <summary>Why <c>metadata.json</c> could not be read, if it could not.</summary>
    public string? MetadataError { get; init; }

    /// <summary>The model's <c>model.json</c> settings (empty when absent).</summary>
    public required ModelSettings Settings { get; init; }

    /// <summary>The artifact's sha256 (hex) as the registry recorded it; the file must still match it to be loaded.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>Absolute path of <c>reference.csv</c>, or null when the version ships none.</summary>
    public string? ReferencePath { get; init; }
}
