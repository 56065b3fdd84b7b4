using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class DriftRecorderConcurrencyTests
{
    [Fact]
    public void Rotate_WhileThreadsRecord_NoRowLostOrDuplicated()
    {
        const int threads = 4;
        const int rowsPerThread = 50_000;
        ReferenceProfile profile = DriftRecorderTests.TwoFeatureProfile();
        var recorder = new DriftRecorder(profile, new DriftWindowOptions { SampleCapacity = 1_000 }, TimeProvider.System);
        var windows = new List<DriftWindowSnapshot>();
        using var start = new Barrier(threads + 1);
        int running = threads;

        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int seed = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                Span<float> row = stackalloc float[2];
                for (int i = 0; i < rowsPerThread; i++)
                {
                    // Every value is recorded into every column; the batch form covers the other path.
                    row[0] = (i + seed) % 100;
                    row[1] = -row[0];
                    if (i % 10 == 0)
                    {
                        recorder.Record([row[0], row[1], row[0], row[1]], 2, [0.5f, 0.5f]);
                        i++;
                    }
                    else
                    {
                        recorder.Record(row, 0.5f);
                    }
                }

                Interlocked.Decrement(ref running);
            });
            workers[t].Start();
        }

        start.SignalAndWait();
        while (Volatile.Read(ref running) > 0)
        {
            windows.Add(recorder.Rotate());
            Thread.Yield();
        }

        foreach (Thread w in workers)
        {
            w.Join();
        }

        windows.Add(recorder.Rotate());

        long expectedRows = (long)threads * rowsPerThread;
        long rows = 0;
        var perColumn = new long[3];
        foreach (DriftWindowSnapshot window in windows)
        {
            rows += window.RowCount;
            for (int c = 0; c < 3; c++)
            {
                long valid = window.Columns[c].ValidCount;
                Assert.Equal(window.RowCount, valid);
                Assert.Equal(Math.Min(window.RowCount, 1_000), window.Columns[c].Samples.Length);
                perColumn[c] += valid;
            }
        }

        Assert.True(windows.Count > 2, "the test should rotate while recording");
        Assert.Equal(expectedRows, rows);
        Assert.All(perColumn, total => Assert.Equal(expectedRows, total));
    }
}
