using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Core.Rollouts;
using Serving.Gateway.Rollouts;

namespace Serving.Gateway.Admin;

/// <summary>
/// Source-generated JSON for <c>/admin/rollouts</c>, under the rollout policy's own options
/// (<see cref="RolloutJsonContext"/>'s: snake_case, enums as lower-case names, NaN as "NaN", comments and
/// trailing commas accepted, unknown policy properties ignored), taken from that context at start-up so the
/// two cannot drift apart: the API speaks the document that docs/rollouts.md describes and the file store
/// keeps. Command bodies refuse unknown properties (<see cref="JsonUnmappedMemberHandlingAttribute"/> on
/// each), so a misspelt <c>wieght</c> is an error. Use <see cref="WithPolicyOptions"/>, not <c>Default</c>.
/// </summary>
[JsonSerializable(typeof(RolloutPolicy))]
[JsonSerializable(typeof(RolloutPolicyEnvelope))]
[JsonSerializable(typeof(RolloutCommandBody))]
[JsonSerializable(typeof(SetWeightBody))]
[JsonSerializable(typeof(RolloutResponse))]
[JsonSerializable(typeof(RolloutListResponse))]
[JsonSerializable(typeof(RolloutLiveStatus))]
internal sealed partial class RolloutAdminJsonContext : JsonSerializerContext
{
    /// <summary>The context under <see cref="RolloutJsonContext"/>'s options.</summary>
    public static RolloutAdminJsonContext WithPolicyOptions { get; } = new(new JsonSerializerOptions(RolloutJsonContext.Default.Options));
}
