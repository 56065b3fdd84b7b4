using System.Text.Json.Serialization;

namespace Serving.Gateway.Admin;

/// <summary>
/// Source-generated JSON for the admin API: camelCase, enums as names, nulls left out, unknown request
/// fields refused (so a misspelt <c>forceReason</c> is an error, not silently ignored).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ModelResponse))]
[JsonSerializable(typeof(ModelListResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(AuditResponse))]
[JsonSerializable(typeof(AuditVerifyResponse))]
[JsonSerializable(typeof(RegisterVersionBody))]
[JsonSerializable(typeof(TransitionBody))]
[JsonSerializable(typeof(SetAliasBody))]
[JsonSerializable(typeof(RollbackBody))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
