namespace Serving.Gateway.Security;

/// <summary>A token bucket: <see cref="RequestsPerSecond"/> on average, bursts of up to <see cref="Burst"/>.</summary>
public sealed class QuotaOptions
{
    /// <summary>Sustained inference requests a second. Must be positive.</summary>
    public double RequestsPerSecond { get; set; }

    /// <summary>The bucket's size: requests that may arrive at once. Default (0): one second's worth, at least 1.</summary>
    public int Burst { get; set; }
}
