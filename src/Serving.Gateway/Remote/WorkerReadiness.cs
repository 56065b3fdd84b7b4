using System.Text.Json.Serialization;

namespace Serving.Gateway.Remote;

/// <summary>Health of one worker in the readiness detail of a process that forwards to workers.</summary>
internal sealed record WorkerReadiness(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("healthy")] bool Healthy,
    [property: JsonPropertyName("in_flight")] int InFlight);
