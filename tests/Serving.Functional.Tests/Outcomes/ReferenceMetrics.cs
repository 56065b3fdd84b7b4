namespace Serving.Functional.Tests.Outcomes;

/// <summary>
/// Classifier metrics computed from their definitions, independently of Serving.Core.Outcomes: AUC by counting every
/// positive–negative pair (no ranks), the means term by term.
/// </summary>
internal static class ReferenceMetrics
{
    public static double Auc(IReadOnlyList<double> p, IReadOnlyList<int> y)
    {
        double wins = 0;
        long pairs = 0;
        for (var i = 0; i < p.Count; i++)
        {
            if (y[i] != 1)
            {
                continue;
            }
            for (var j = 0; j < p.Count; j++)
            {
                if (y[j] != 0)
                {
                    continue;
                }
                pairs++;
                wins += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
            }
        }
        return wins / pairs;
    }

    public static double LogLoss(IReadOnlyList<double> p, IReadOnlyList<int> y) =>
        Enumerable.Range(0, p.Count).Average(i =>
        {
            var q = Math.Min(Math.Max(p[i], 1e-15), 1 - 1e-15);
            return y[i] == 1 ? -Math.Log(q) : -Math.Log(1 - q);
        });

    public static double Brier(IReadOnlyList<double> p, IReadOnlyList<int> y) =>
        Enumerable.Range(0, p.Count).Average(i => (p[i] - y[i]) * (p[i] - y[i]));

    public static double Accuracy(IReadOnlyList<double> p, IReadOnlyList<int> y, double threshold) =>
        Enumerable.Range(0, p.Count).Average(i => (p[i] >= threshold ? 1 : 0) == y[i] ? 1.0 : 0.0);
}
