namespace Serving.Core.Drift;

/// <summary>A two-sided two-sample Kolmogorov–Smirnov test result.</summary>
/// <param name="Statistic">The statistic D, the largest distance between the two empirical CDFs.</param>
/// <param name="PValue">The two-sided p-value, in [0, 1].</param>
/// <param name="Method">The distribution the p-value came from.</param>
internal readonly record struct KolmogorovSmirnovResult(double Statistic, double PValue, KolmogorovSmirnovMethod Method);
