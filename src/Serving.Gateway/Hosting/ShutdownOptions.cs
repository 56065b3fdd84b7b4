namespace Serving.Gateway.Hosting;

/// <summary>
/// How the process stops on SIGTERM (<c>Serving:Shutdown:*</c>). In Kubernetes, keep
/// <c>terminationGracePeriodSeconds</c> above the <c>preStop</c> sleep plus <see cref="Total"/>
/// (the manifests in deploy/kubernetes use preStop 5 s, DrainDelay 5 s, Timeout 20 s, FlushTimeout 5 s
/// and a grace period of 45 s).
/// </summary>
public sealed class ShutdownOptions : ICheckedOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Serving:Shutdown";

    /// <summary>
    /// After SIGTERM, how long the process keeps accepting and serving requests while
    /// <c>/v2/health/ready</c> answers 503 <c>draining</c>, so that load balancers and gateways stop
    /// sending before connections are refused. Default 5 s.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Then, how long requests in flight and queued in batches have to complete once new connections are refused. Default 20 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Then, how long shadow copies in flight and queued alert deliveries have to finish; what is left is dropped and counted. Default 5 s.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest a stop takes.</summary>
    public TimeSpan Total => DrainDelay + Timeout + FlushTimeout;

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        yield return SettingRules.NotNegative(Section + ":" + nameof(DrainDelay), DrainDelay);
        yield return SettingRules.NotNegative(Section + ":" + nameof(Timeout), Timeout);
        yield return SettingRules.NotNegative(Section + ":" + nameof(FlushTimeout), FlushTimeout);
    }
}
