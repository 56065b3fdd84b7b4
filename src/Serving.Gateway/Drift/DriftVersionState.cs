using System.Text.Json.Serialization;
using Serving.Core.Drift;

namespace Serving.Gateway.Drift;

/// <summary>What is persisted per monitored version: its alarms and its last closed windows (oldest first).</summary>
internal sealed record DriftVersionState(
    [property: JsonPropertyName("alarms")] IReadOnlyList<AlarmSnapshot> Alarms,
    [property: JsonPropertyName("history")] IReadOnlyList<DriftHistoryWindow> History);
