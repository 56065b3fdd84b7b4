using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Core.Rollouts;
using Serving.Gateway.Rollouts;

namespace Serving.Gateway.Admin;

/// <summary>
/// Source-generated JSON for <c>/admin/rollouts</c>: the rollout policy's own conventions
/// (<see cref="RolloutJsonContext"/>: snake_case, enums as lower-case names, NaN as "NaN", comments and
/// trailing commas accepted, unknown policy properties ignored), so the API speaks the document that
/// docs/rollouts.md describes and the file store keeps. Command bodies refuse unknown properties
/// (<see cref="JsonUnmappedMemberHandlingAttribute"/> on each), so a misspelt <c>wieght</c> is an error.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(RolloutPolicy))]
[JsonSerializable(typeof(RolloutPolicyEnvelope))]
[JsonSerializable(typeof(RolloutCommandBody))]
[JsonSerializable(typeof(SetWeightBody))]
[JsonSerializable(typeof(RolloutResponse))]
[JsonSerializable(typeof(RolloutListResponse))]
[JsonSerializable(typeof(RolloutLiveStatus))]
internal sealed partial class RolloutAdminJsonContext : JsonSerializerContext;
