namespace Serving.Core.Outcomes;

/// <summary>
/// A point estimate with its standard error and a two-sided normal-approximation confidence interval
/// <c>Value ± z · StandardError</c> (z = <see cref="Z95"/> for the 95 % intervals this folder reports).
/// Lower and Upper are NaN when the standard error is undefined (fewer than two observations).
/// </summary>
/// <param name="Value">The point estimate.</param>
/// <param name="StandardError">The estimated standard error of <paramref name="Value"/>.</param>
/// <param name="Lower">The lower bound of the 95 % interval.</param>
/// <param name="Upper">The upper bound of the 95 % interval.</param>
internal readonly record struct IntervalEstimate(double Value, double StandardError, double Lower, double Upper)
{
    /// <summary>The 0.975 quantile of the standard normal distribution (scipy.stats.norm.ppf(0.975)).</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>The 95 % normal interval <c>value ± Z95 · standardError</c>.</summary>
    public static IntervalEstimate Normal(double value, double standardError) =>
        new(value, standardError, value - Z95 * standardError, value + Z95 * standardError);

    /// <summary>The 95 % normal interval clipped to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static IntervalEstimate NormalWithin(double value, double standardError, double min, double max) =>
        new(value, standardError,
            Math.Max(min, value - Z95 * standardError), Math.Min(max, value + Z95 * standardError));
}
