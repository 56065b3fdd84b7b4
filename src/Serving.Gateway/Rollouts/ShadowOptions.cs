namespace Serving.Gateway.Rollouts;

/// <summary>Limits on shadow copies (<c>Serving:Shadow:*</c>).</summary>
public sealed class ShadowOptions : ICheckedOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Serving:Shadow";

    /// <summary>Shadow copies in flight across all models; beyond it copies are dropped and counted. Default 64.</summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>How long a copy may wait before it is given up (counted as a timeout). Default 2 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        yield return SettingRules.AtLeast(Section + ":" + nameof(MaxInFlight), MaxInFlight, 1);
        yield return SettingRules.Positive(Section + ":" + nameof(Timeout), Timeout);
    }
}
