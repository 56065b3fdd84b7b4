using System.Text.Json.Serialization;

namespace Serving.Core.Repository;

/// <summary>Source-generated JSON for the repository's files.</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(VersionMetadata))]
[JsonSerializable(typeof(ModelSettings))]
internal sealed partial class RepositoryJsonContext : JsonSerializerContext;
