namespace Serving.Gateway.PayloadLog;

/// <summary>One logged request and its response, copied off the pooled request buffers.</summary>
internal sealed record PayloadRecord(
    DateTimeOffset Timestamp,
    string Model,
    string Version,
    string Variant,
    string? Id,
    double LatencySeconds,
    bool Truncated,
    PayloadTensor[] Inputs,
    PayloadTensor[] Outputs);
