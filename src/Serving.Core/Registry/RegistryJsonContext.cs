using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>Source-generated JSON for what the stores persist (camelCase, stages and actions as names).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelState))]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(AuditHead))]
[JsonSerializable(typeof(ModelDocument))]
[JsonSerializable(typeof(ImmutableArray<AuditEntry>))]
[JsonSerializable(typeof(SnapshotDocument<ModelState>))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
