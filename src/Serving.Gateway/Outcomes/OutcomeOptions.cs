namespace Serving.Gateway.Outcomes;

/// <summary>
/// The prediction log, the feedback API and online performance (<c>Serving:Outcomes</c>, docs/outcomes.md). Off by
/// default: with no model enabled nothing is registered and the request path is as without it.
/// </summary>
public sealed class OutcomeOptions : ICheckedOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Serving:Outcomes";

    /// <summary>Logs every model's predictions (a model's own <see cref="OutcomeModelOptions.Enabled"/> overrides). Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>How late feedback may arrive and still be joined; later feedback is reported as expired. Default 7 days.</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a prediction and the fact that it was labelled are kept; default (zero) twice the horizon, so feedback
    /// up to that age is reported as expired rather than unknown.
    /// </summary>
    public TimeSpan Retention { get; set; }

    /// <summary>Predictions waiting for the background writer; more are dropped (counted). Default 65,536.</summary>
    public int QueueCapacity { get; set; } = 65_536;

    /// <summary>Predictions the in-process log keeps when no Redis is configured (oldest evicted first; about 100 bytes each, values only). Default 200,000.</summary>
    public int LocalCapacity { get; set; } = 200_000;

    /// <summary>Labelled (and recent unlabelled) predictions per model, version and variant in a performance window. Default 1,000.</summary>
    public int Window { get; set; } = 1_000;

    /// <summary>Key prefix of the prediction log in Redis. Default <c>serving:outcomes</c>.</summary>
    public string RedisKeyPrefix { get; set; } = "serving:outcomes";

    /// <summary>Per-model settings, by model name.</summary>
    public Dictionary<string, OutcomeModelOptions> Models { get; set; } = [];

    /// <summary><see cref="Retention"/>, or twice <see cref="Horizon"/> when unset.</summary>
    public TimeSpan EffectiveRetention => Retention > TimeSpan.Zero ? Retention : Horizon * 2;

    /// <summary>Whether any model has outcomes enabled.</summary>
    public bool AnyEnabled()
    {
        if (Enabled)
        {
            return true;
        }
        foreach (var model in Models.Values)
        {
            if (model.Enabled == true)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The settings of <paramref name="model"/> when its outcomes are enabled, else null.</summary>
    public OutcomeModelOptions? For(string model)
    {
        if (Models.TryGetValue(model, out var options))
        {
            return (options.Enabled ?? Enabled) ? options : null;
        }
        return Enabled ? Default : null;
    }

    private static readonly OutcomeModelOptions Default = new();

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        yield return SettingRules.Positive(Section + ":" + nameof(Horizon), Horizon);
        yield return SettingRules.NotNegative(Section + ":" + nameof(Retention), Retention);
        yield return SettingRules.AtLeast(Section + ":" + nameof(QueueCapacity), QueueCapacity, 1);
        yield return SettingRules.AtLeast(Section + ":" + nameof(LocalCapacity), LocalCapacity, 1);
        yield return SettingRules.AtLeast(Section + ":" + nameof(Window), Window, 1);
    }
}
