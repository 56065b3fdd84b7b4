using System.Collections.Concurrent;
using Serving.Core.Outcomes;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Experiments;

/// <summary>
/// The arms in this process: one experiment per model (a new experiment key replaces the old one), so memory is
/// bounded by the number of models. For a gateway without Redis, whose prediction log joins only its own traffic.
/// </summary>
internal sealed class LocalExperimentArmStore : IExperimentArmStore
{
    private readonly ConcurrentDictionary<string, Arms> _byModel = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public void Add(string model, string experiment, string arm, double value)
    {
        Arms arms = _byModel.AddOrUpdate(model, static (_, key) => new Arms(key), static (_, existing, key) => existing.Key == key ? existing : new Arms(key), experiment);
        if (arms.Key != experiment)
        {
            return;
        }

        lock (arms)
        {
            (arm == VariantNames.Canary ? arms.Canary : arms.Stable).Add(value);
        }
    }

    /// <inheritdoc />
    public Task<(SampleMoments Stable, SampleMoments Canary)> ReadAsync(string model, string experiment, CancellationToken cancellationToken)
    {
        if (!_byModel.TryGetValue(model, out Arms? arms) || arms.Key != experiment)
        {
            return Task.FromResult((new SampleMoments(), new SampleMoments()));
        }

        lock (arms)
        {
            return Task.FromResult((arms.Stable.Snapshot(), arms.Canary.Snapshot()));
        }
    }

    private sealed class Arms(string key)
    {
        public string Key { get; } = key;

        public ArmSums Stable { get; } = new();

        public ArmSums Canary { get; } = new();
    }

    private sealed class ArmSums
    {
        private long _count;
        private double _sum;
        private double _sumOfSquares;

        public void Add(double value)
        {
            _count++;
            _sum += value;
            _sumOfSquares += value * value;
        }

        public SampleMoments Snapshot() => SampleMoments.FromSums(_count, _sum, _sumOfSquares);
    }
}
