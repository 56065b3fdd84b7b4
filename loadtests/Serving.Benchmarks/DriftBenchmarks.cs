using BenchmarkDotNet.Attributes;
using Serving.Core.Drift;
using Serving.Core.Repository;

namespace Serving.Benchmarks;

/// <summary>
/// What drift monitoring adds to one credit-risk prediction: recording its 12 features and its
/// probability into the open window, with the profile built from the shipped reference sample.
/// Budget: at most 1 µs and 0 bytes per prediction.
/// </summary>
public class DriftBenchmarks
{
    private DriftRecorder _recorder = null!;
    private readonly float[] _rows32 = new float[32 * 12];
    private readonly float[] _predictions32 = new float[32];

    [GlobalSetup]
    public void Setup()
    {
        var metadataFeatures = new[]
        {
            "age", "annual_income", "loan_amount", "debt_to_income", "credit_utilization", "num_open_accounts",
            "num_delinquencies_2y", "months_since_last_delinquency", "credit_history_years", "years_at_employer",
            "interest_rate", "loan_term_months",
        };
        var (data, error) = ReferenceData.Read(
            Path.Combine(Fixtures.RepositoryRoot(), "models", "credit-risk", "2", "reference.csv"), metadataFeatures, ["probability"]);
        if (data is null)
        {
            throw new InvalidOperationException(error);
        }
        var profile = ReferenceProfile.Build("credit-risk", "2", metadataFeatures, ["output:probability"], data.Features, data.Outputs, data.RowCount);
        // A window that never closes during the run: recording is what is measured.
        _recorder = new DriftRecorder(profile, new DriftWindowOptions { MaxRows = long.MaxValue, MaxDuration = TimeSpan.FromDays(1) }, TimeProvider.System);
        for (var i = 0; i < 32; i++)
        {
            Fixtures.Row.CopyTo(_rows32, i * 12);
            _predictions32[i] = 0.1f + (i * 0.02f);
        }
    }

    [Benchmark(Description = "Drift: record one credit-risk prediction (12 features + probability)")]
    public void RecordOne() => _recorder.Record(Fixtures.Row, 0.0925f);

    [Benchmark(Description = "Drift: record a batch of 32 predictions", OperationsPerInvoke = 32)]
    public void RecordBatchOf32() => _recorder.Record(_rows32, 32, _predictions32);
}
