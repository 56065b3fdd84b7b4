using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Serving.Core.Registry;

/// <summary>Source-generated JSON for what the stores persist (camelCase, stages and actions as names).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelState))]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(ModelDocument))]
[JsonSerializable(typeof(ImmutableArray<AuditEntry>))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
