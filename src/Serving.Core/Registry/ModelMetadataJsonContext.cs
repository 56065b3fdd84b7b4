using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Core.Registry;

/// <summary>Source-generated JSON for <c>metadata.json</c> (snake_case, comments and trailing commas tolerated).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ModelMetadata))]
internal sealed partial class ModelMetadataJsonContext : JsonSerializerContext;
