using System.Diagnostics;
using Serving.Core.Protocol;
using Serving.Core.Repository;
using Serving.Gateway.Batching;
using Serving.Gateway.Inference;

namespace Serving.Gateway.Tests.Inference;

/// <summary>A version on CUDA waits for its batch to fill by the GPU default unless its model.json says otherwise; CPU versions are unchanged.</summary>
public sealed class GpuBatchingTests
{
    private static readonly ModelSignature Batchable = new(
        [new TensorSpec("image", TensorDataType.Fp32, [-1, 3, 224, 224])], [new TensorSpec("logits", TensorDataType.Fp32, [-1, 1000])]);

    private static long Ticks(int microseconds) => microseconds * Stopwatch.Frequency / 1_000_000;

    [Fact]
    public void BatchingFor_Cuda_WaitsTheGpuDefault()
    {
        var settings = ModelHost.BatchingFor(new BatchingDefaults(), new ModelSettings(), Batchable, "cuda");

        Assert.Equal(Ticks(1000), settings.MaxQueueDelayTicks);
        Assert.True(settings.Batchable);
    }

    [Fact]
    public void BatchingFor_Cpu_KeepsTheCpuDefault()
    {
        var settings = ModelHost.BatchingFor(new BatchingDefaults(), new ModelSettings(), Batchable, "cpu");

        Assert.Equal(0, settings.MaxQueueDelayTicks);
    }

    [Fact]
    public void BatchingFor_ModelJsonDelay_WinsOnCuda()
    {
        var settings = ModelHost.BatchingFor(new BatchingDefaults { GpuMaxQueueDelayMicroseconds = 5000 }, new ModelSettings { MaxQueueDelayMicroseconds = 200 }, Batchable, "cuda");

        Assert.Equal(Ticks(200), settings.MaxQueueDelayTicks);
    }
}
