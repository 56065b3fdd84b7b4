using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Core.Storage;

namespace Serving.Core.Rollouts;

/// <summary>
/// Source-generated JSON for rollouts: the policy the admin API accepts and returns and the file store
/// keeps, and the status documents. snake_case names; NaN written as the string "NaN" (empty statistics);
/// the plan step's <c>type</c> may come anywhere in the object. See docs/rollouts.md.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(RolloutPolicy))]
[JsonSerializable(typeof(List<RolloutPolicy>))]
[JsonSerializable(typeof(RolloutTransition))]
[JsonSerializable(typeof(AnalysisOutcome))]
[JsonSerializable(typeof(ShadowComparisonSnapshot))]
[JsonSerializable(typeof(SnapshotDocument<RolloutPolicy>))]
internal sealed partial class RolloutJsonContext : JsonSerializerContext;
