using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Serving.Benchmarks;

/// <summary>
/// A short job (3 warm-up and 5 measured iterations, one launch) so that bench.sh finishes in a few
/// minutes, on top of the default loggers, exporters and columns, and the memory diagnoser: allocated bytes per operation are part of every result.
/// </summary>
internal sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(5).WithLaunchCount(1));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.P95);
    }
}
