using Serving.Core.Protocol;
using Serving.Gateway.Inference;

namespace Serving.Gateway.Tests.Inference;

/// <summary>
/// What can be known about CUDA graphs (<c>Serving:OnnxRuntime:Cuda:Graphs</c>) without a GPU: the sizes a version
/// captures, the one a batch is padded to, the provider option the setting turns on, and which versions are
/// refused, with messages that name the setting.
/// </summary>
public sealed class CudaGraphPlanTests
{
    [Theory]
    [InlineData(64, new[] { 1, 2, 4, 8, 16, 32, 64 })]
    [InlineData(48, new[] { 1, 2, 4, 8, 16, 32, 48 })]
    [InlineData(16, new[] { 1, 2, 4, 8, 16 })]
    [InlineData(3, new[] { 1, 2, 3 })]
    [InlineData(1, new[] { 1 })]
    [InlineData(0, new int[0])]
    public void Sizes_PowersOfTwoBelowTheLargestBatchAndTheLargestBatch(int maxRows, int[] expected)
    {
        Assert.Equal(expected, CudaGraphPlan.Sizes(maxRows));
    }

    [Theory]
    [InlineData(48)]
    [InlineData(64)]
    [InlineData(110)]
    [InlineData(256)]
    public void SizeIndexFor_EveryRowCount_TheSmallestCapturedSizeThatHoldsIt(int maxRows)
    {
        var sizes = CudaGraphPlan.Sizes(maxRows);
        for (var rows = 1; rows <= maxRows; rows++)
        {
            // Reference: scan every captured size for the smallest that is at least rows.
            var expected = sizes.Where(size => size >= rows).Min();
            var index = CudaGraphPlan.SizeIndexFor(sizes, rows);
            Assert.Equal(expected, sizes[index]);
            // At most twice the rows, so padding costs at most as much again (and nothing at a captured size).
            Assert.InRange(sizes[index], rows, 2 * rows);
        }
        Assert.Equal(-1, CudaGraphPlan.SizeIndexFor(sizes, maxRows + 1));
        Assert.Equal(-1, CudaGraphPlan.SizeIndexFor(sizes, 0));
    }

    [Fact]
    public void Sizes_GraphIdsAreNeverTheIdsOnnxRuntimeReserves()
    {
        // 0 is ONNX Runtime's own default graph id and -1 runs without a graph; the id is the size.
        Assert.DoesNotContain(CudaGraphPlan.Sizes(256), size => size <= 0);
    }

    [Fact]
    public void ProviderSettings_GraphsOn_EnablesTheProvidersCudaGraph()
    {
        var (options, error) = CudaProviderSettings.For(new OnnxRuntimeOptions { Cuda = new CudaOptions { Graphs = true } });

        Assert.Null(error);
        Assert.Equal("1", options!["enable_cuda_graph"]);
        Assert.DoesNotContain("enable_cuda_graph", CudaProviderSettings.For(new OnnxRuntimeOptions()).Options!.Keys);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("none")]
    public void ProviderRefusal_AnythingButCuda_NamesTheSettingTheVersionAndTheProvider(string provider)
    {
        var refusal = CudaGraphPlan.ProviderRefusal("resnet", 3, provider);

        Assert.Contains("Serving:OnnxRuntime:Cuda:Graphs is on", refusal, StringComparison.Ordinal);
        Assert.Contains($"resnet version 3 would run on the {provider} provider", refusal, StringComparison.Ordinal);
        Assert.Null(CudaGraphPlan.ProviderRefusal("resnet", 3, "cuda"));
    }

    [Fact]
    public void ShapeRefusal_DynamicDimensionAfterTheBatch_NamesTheTensorAndItsShape()
    {
        var signature = Signature([-1, 3, 224, 224], [-1, -1]);

        var refusal = CudaGraphPlan.ShapeRefusal("detector", 1, signature);

        Assert.Contains("Serving:OnnxRuntime:Cuda:Graphs is on", refusal, StringComparison.Ordinal);
        Assert.Contains("detector version 1's output 'y' has shape [-1,-1]", refusal, StringComparison.Ordinal);
        Assert.Contains("every dimension but the first", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new long[] { 1, 12 })]
    [InlineData(new long[0])]
    public void ShapeRefusal_NoDynamicBatchDimension_IsRefused(long[] inputShape)
    {
        var refusal = CudaGraphPlan.ShapeRefusal("fixed", 2, Signature(inputShape, [-1, 1]));

        Assert.Contains("fixed version 2's input 'x'", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void ShapeRefusal_BatchThenFixedDimensions_IsAccepted()
    {
        Assert.Null(CudaGraphPlan.ShapeRefusal("resnet", 1, Signature([-1, 3, 224, 224], [-1, 1000])));
    }

    private static ModelSignature Signature(long[] input, long[] output) =>
        new([new TensorSpec("x", TensorDataType.Fp32, input)], [new TensorSpec("y", TensorDataType.Fp32, output)]);
}
