using System.Globalization;

namespace Serving.Gateway;

/// <summary>
/// The range checks of <see cref="ICheckedOptions.Problems"/>: each returns null when the value is in range, else
/// a message that names the setting, the range and the value.
/// </summary>
public static class SettingRules
{
    /// <summary><paramref name="value"/> between <paramref name="minimum"/> and <paramref name="maximum"/>, both included.</summary>
    public static string? Between(string setting, long value, long minimum, long maximum) =>
        value >= minimum && value <= maximum ? null : Invariant($"{setting} must be between {minimum} and {maximum}, was {value}.");

    /// <summary><paramref name="value"/> between <paramref name="minimum"/> and <paramref name="maximum"/>, both included (NaN is out).</summary>
    public static string? Between(string setting, double value, double minimum, double maximum) =>
        value >= minimum && value <= maximum ? null : Invariant($"{setting} must be between {minimum} and {maximum}, was {value}.");

    /// <summary><paramref name="value"/> at least <paramref name="minimum"/>.</summary>
    public static string? AtLeast(string setting, long value, long minimum) =>
        value >= minimum ? null : Invariant($"{setting} must be at least {minimum}, was {value}.");

    /// <summary>A duration longer than zero.</summary>
    public static string? Positive(string setting, TimeSpan value) =>
        value > TimeSpan.Zero ? null : Invariant($"{setting} must be longer than 0, was {value}.");

    /// <summary>A duration of zero or more.</summary>
    public static string? NotNegative(string setting, TimeSpan value) =>
        value >= TimeSpan.Zero ? null : Invariant($"{setting} must not be negative, was {value}.");

    private static string Invariant(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}
