namespace Serving.Gateway.Remote;

/// <summary>
/// What this process does and whom it forwards to, bound from the <c>Serving</c> section: <c>Serving:Role</c>,
/// <c>Serving:Workers</c> and <c>Serving:Forwarding:*</c>.
/// </summary>
public sealed class RemoteOptions : ICheckedOptions
{
    /// <summary>The configuration section the settings are read from.</summary>
    public const string Section = "Serving";

    /// <summary>What this process does: <c>all</c> (the default), <c>gateway</c> or <c>worker</c>.</summary>
    public ServingRole Role { get; set; } = ServingRole.All;

    /// <summary>
    /// Workers that host versions for this process. Requests for a model or version that is not loaded
    /// here are forwarded to them; a version loaded here is always served here. Default none.
    /// </summary>
    public List<WorkerOptions> Workers { get; set; } = [];

    /// <summary>Forwarding and worker health settings.</summary>
    public ForwardingOptions Forwarding { get; set; } = new();

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        const string Prefix = Section + ":Forwarding:";
        var forwarding = Forwarding;
        yield return SettingRules.Positive(Prefix + nameof(ForwardingOptions.HealthCheckInterval), forwarding.HealthCheckInterval);
        yield return SettingRules.Positive(Prefix + nameof(ForwardingOptions.HealthCheckTimeout), forwarding.HealthCheckTimeout);
        yield return SettingRules.AtLeast(Prefix + nameof(ForwardingOptions.UnhealthyAfter), forwarding.UnhealthyAfter, 1);
        yield return SettingRules.NotNegative(Prefix + nameof(ForwardingOptions.ReactivationPeriod), forwarding.ReactivationPeriod);
        yield return SettingRules.Positive(Prefix + nameof(ForwardingOptions.ConnectTimeout), forwarding.ConnectTimeout);
        yield return SettingRules.Positive(Prefix + nameof(ForwardingOptions.ActivityTimeout), forwarding.ActivityTimeout);
        yield return SettingRules.AtLeast(Prefix + nameof(ForwardingOptions.Retries), forwarding.Retries, 0);
        yield return SettingRules.Positive(Prefix + nameof(ForwardingOptions.ResolveInterval), forwarding.ResolveInterval);
    }
}
