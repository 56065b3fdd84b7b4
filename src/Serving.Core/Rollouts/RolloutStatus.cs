using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>Where a progressive rollout stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RolloutStatus>))]
internal enum RolloutStatus
{
    /// <summary>The plan has not been started.</summary>
    [JsonStringEnumMemberName("not_started")]
    NotStarted,

    /// <summary>Between steps; the controller moves on at its next tick.</summary>
    [JsonStringEnumMemberName("progressing")]
    Progressing,

    /// <summary>Holding at a pause step, until its time is up or an operator resumes.</summary>
    [JsonStringEnumMemberName("paused")]
    Paused,

    /// <summary>Holding at an analysis step while canary and stable are compared.</summary>
    [JsonStringEnumMemberName("analyzing")]
    Analyzing,

    /// <summary>Finished: the canary became the stable version. Terminal.</summary>
    [JsonStringEnumMemberName("promoted")]
    Promoted,

    /// <summary>Stopped: the canary weight went to 0. Terminal until the plan is started again.</summary>
    [JsonStringEnumMemberName("aborted")]
    Aborted,
}
