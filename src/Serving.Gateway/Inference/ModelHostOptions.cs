namespace Serving.Gateway.Inference;

/// <summary>How <see cref="ModelHost"/> lets versions go, bound from the <c>Serving</c> section (<c>Serving:DrainTimeout</c>).</summary>
public sealed class ModelHostOptions : ICheckedOptions
{
    /// <summary>The configuration section the settings are read from.</summary>
    public const string Section = "Serving";

    /// <summary>
    /// How long a leaving version waits for its requests in flight before it cancels them (they answer 503)
    /// and unloads. Default 30 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        yield return SettingRules.NotNegative(Section + ":" + nameof(DrainTimeout), DrainTimeout);
    }
}
