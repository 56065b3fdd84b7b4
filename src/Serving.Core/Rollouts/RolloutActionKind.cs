using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>What the caller of <see cref="RolloutController"/> must carry out.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RolloutActionKind>))]
internal enum RolloutActionKind
{
    /// <summary>Set the canary weight to <see cref="RolloutAction.Weight"/> (<see cref="RolloutController.Apply"/> does it in the policy).</summary>
    [JsonStringEnumMemberName("set_weight")]
    SetWeight,

    /// <summary>Start a fresh analysis window for both cohorts: rotate and discard the recorders' current windows.</summary>
    [JsonStringEnumMemberName("reset_analysis_window")]
    ResetAnalysisWindow,

    /// <summary>Promote the canary version to Production in the registry; the policy makes it the stable version.</summary>
    [JsonStringEnumMemberName("promote_canary")]
    PromoteCanary,

    /// <summary>Record a rollback (audit entry with the reason and its numbers).</summary>
    [JsonStringEnumMemberName("record_rollback")]
    RecordRollback,

    /// <summary>Send an alert with <see cref="RolloutAction.Message"/> to on-call.</summary>
    [JsonStringEnumMemberName("send_alert")]
    SendAlert,
}
