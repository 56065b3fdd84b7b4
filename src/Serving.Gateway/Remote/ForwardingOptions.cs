namespace Serving.Gateway.Remote;

/// <summary>How requests are forwarded to workers and how their health is tracked (<c>Serving:Forwarding:*</c>).</summary>
public sealed class ForwardingOptions
{
    /// <summary>Time between active health probes of each worker. Default 5 s.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one probe may take before it counts as a failure. Default 2 s.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The path probed on each worker; 200 means healthy. Default <c>/v2/health/ready</c>.</summary>
    public string HealthCheckPath { get; set; } = "/v2/health/ready";

    /// <summary>Consecutive failed probes that mark a worker unhealthy. Default 2.</summary>
    public int UnhealthyAfter { get; set; } = 2;

    /// <summary>
    /// How long a worker that failed a forwarded request at the transport level (connection refused or
    /// reset) takes no traffic, whatever the probes say (passive health check). Default 10 s.
    /// </summary>
    public TimeSpan ReactivationPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of a TCP connect to a worker. Default 2 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a forwarded request may see no activity before it fails with 504. Default 100 s.</summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Further destinations tried when a worker cannot be reached or drops the connection before it
    /// answers (inference is idempotent, and the body is buffered so it can be sent again). Default 1.
    /// </summary>
    public int Retries { get; set; } = 1;

    /// <summary>
    /// A DNS name whose every A/AAAA record is a worker hosting every model, as <c>host:port</c> or
    /// <c>http://host:port</c> (in Kubernetes, a headless Service: one record per ready pod). Re-resolved
    /// every <see cref="ResolveInterval"/>; workers that appear or disappear join or leave without a restart.
    /// Default none; it adds to <c>Serving:Workers</c>.
    /// </summary>
    public string? WorkersDns { get; set; }

    /// <summary>How often <see cref="WorkersDns"/> is looked up again. Default 5 s.</summary>
    public TimeSpan ResolveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The DNS server (<c>address[:port]</c>) asked for <see cref="WorkersDns"/>, bypassing the system
    /// resolver and its cache. Default none: the system resolver (<c>/etc/resolv.conf</c>, <c>/etc/hosts</c>).
    /// </summary>
    public string? DnsServer { get; set; }
}
