using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serving.Core.Protocol;
using Serving.Functional.Tests.Common;
using Serving.Gateway.PayloadLog;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Functional.Tests.PayloadLog;

public sealed class PayloadLogTests(ITestOutputHelper output)
{
    [Fact]
    public void Bucket_OnePercentOfIds_HoldsTheRateAndIsTheSameForTheSameId()
    {
        const int Requests = 200_000;
        int sampled = 0;
        for (int i = 0; i < Requests; i++)
        {
            ulong bucket = PayloadLogger.Bucket(Encoding.UTF8.GetBytes("req-" + i), 0);
            Assert.Equal(bucket, PayloadLogger.Bucket(Encoding.UTF8.GetBytes("req-" + i), 12345));
            sampled += bucket < 10_000 ? 1 : 0;
        }

        int counted = 0;
        for (long n = 1; n <= Requests; n++)
        {
            counted += PayloadLogger.Bucket(default, n) < 10_000 ? 1 : 0;
        }

        // Binomial(200000, 0.01): standard deviation 44.5; four of them either side.
        output.WriteLine($"1 % sampling of {Requests} requests: {sampled} by id, {counted} by sequence number");
        Assert.InRange(sampled, 2000 - 178, 2000 + 178);
        Assert.InRange(counted, 2000 - 178, 2000 + 178);
    }

    [Fact]
    public void Write_ManyRecords_RotatesKeepingAtMostMaxFilesEachWithinMaxBytes()
    {
        var directory = Directory.CreateTempSubdirectory("serving-payloads-").FullName;
        try
        {
            var options = Options.Create(new PayloadLogOptions { SampleRate = 1, Directory = directory, MaxFileBytes = 4096, MaxFiles = 3 });
            var writer = new PayloadLogWriter(new PayloadLogger(options, TimeProvider.System), options,
                new ConfigurationBuilder().Build(), TimeProvider.System, NullLogger<PayloadLogWriter>.Instance);
            for (int i = 0; i < 500; i++)
            {
                writer.Write(Record("r" + i));
            }

            writer.Dispose();
            var files = Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToArray();
            output.WriteLine($"500 records of ~300 bytes, 4 KiB files, 3 kept: {string.Join(", ", files.Select(f => new FileInfo(f).Length))} bytes");
            Assert.Equal(3, files.Length);
            Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, 4096));
            var ids = files.SelectMany(File.ReadAllLines).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()).ToList();
            Assert.Equal("r499", ids[^1]);
            // The newest records are the ones kept, in order and without a gap.
            var first = int.Parse(ids[0]![1..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Enumerable.Range(first, 500 - first).Select(i => "r" + i), ids);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Gateway_SampleRateOne_LogsRequestAndResponseWithVersionVariantIdAndLatency_LargeOnesTruncated()
    {
        var directory = Directory.CreateTempSubdirectory("serving-payloads-").FullName;
        try
        {
            await using (var host = await GatewayHost.StartAsync(RepositoryPaths.Models,
                ["--Serving:PayloadLog:SampleRate=1", $"--Serving:PayloadLog:Directory={directory}", "--Serving:PayloadLog:MaxRecordBytes=100"]))
            {
                using (var one = await host.Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([3], id: "loan-3")))
                {
                    Assert.Equal(200, (int)one.StatusCode);
                }

                using var four = await host.Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([0, 1, 2, 3], id: "loan-0123"));
                Assert.Equal(200, (int)four.StatusCode);
                await Polling.UntilAsync(() => Lines(directory).Count == 2, "both requests are in the payload log");
            }

            var records = Lines(directory).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(r => r.GetProperty("id").GetString()!);
            var small = records["loan-3"];
            Assert.Equal(("credit-risk", "2", "default", false), (small.GetProperty("model").GetString(), small.GetProperty("version").GetString(),
                small.GetProperty("variant").GetString(), small.GetProperty("truncated").GetBoolean()));
            Assert.True(small.GetProperty("latency_ms").GetDouble() > 0);
            var features = small.GetProperty("inputs")[0].GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            Assert.Equal(ExpectedOutputs.CreditRisk.Inputs[3].Select(v => (float)v), features);
            var probability = small.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "probability");
            Assert.Equal(ExpectedOutputs.CreditRisk.V2[3], probability.GetProperty("data")[0].GetDouble(), ExpectedOutputs.CreditRisk.AbsTolerance);

            // 4 rows x 12 features x 4 bytes = 192 bytes of input: over the 100-byte bound, so shapes only.
            var large = records["loan-0123"];
            Assert.True(large.GetProperty("truncated").GetBoolean());
            Assert.Equal([4L, 12L], large.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()));
            Assert.False(large.GetProperty("inputs")[0].TryGetProperty("data", out _));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<string> Lines(string directory) =>
        Directory.Exists(directory) ? Directory.GetFiles(directory).SelectMany(File.ReadAllLines).ToList() : [];

    private static PayloadRecord Record(string id) => new(
        DateTimeOffset.UnixEpoch, "credit-risk", "2", "stable", id, 0.0012, false,
        [new PayloadTensor("features", TensorDataType.Fp32, [1, 12], new byte[48])],
        [new PayloadTensor("probability", TensorDataType.Fp32, [1, 1], BitConverter.GetBytes(0.25f))]);
}
