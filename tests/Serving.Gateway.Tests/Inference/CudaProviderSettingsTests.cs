using Serving.Gateway.Inference;

namespace Serving.Gateway.Tests.Inference;

/// <summary>
/// The gateway's CUDA settings as ONNX Runtime's CUDA provider options (the keys and values of
/// onnxruntime/core/providers/cuda/cuda_execution_provider_info.cc), without a GPU: the mapping is data.
/// </summary>
public sealed class CudaProviderSettingsTests
{
    [Fact]
    public void For_Defaults_SameAsRequestedArenaExhaustiveSearchCopiesOnTheComputeStreamNoTf32NoLimit()
    {
        var (options, error) = CudaProviderSettings.For(new OnnxRuntimeOptions());

        Assert.Null(error);
        var expected = new Dictionary<string, string>
        {
            ["device_id"] = "0",
            ["arena_extend_strategy"] = "kSameAsRequested",
            ["cudnn_conv_algo_search"] = "EXHAUSTIVE",
            ["do_copy_in_default_stream"] = "1",
            ["use_tf32"] = "0",
        };
        Assert.Equal(expected.OrderBy(p => p.Key), options!.OrderBy(p => p.Key));
    }

    [Fact]
    public void For_EverySettingChanged_EachReachesItsProviderKey()
    {
        var settings = new OnnxRuntimeOptions
        {
            CudaDeviceId = 3,
            GpuMemoryLimitBytes = 6L * 1024 * 1024 * 1024,
            Cuda = new CudaOptions { ArenaExtendStrategy = "nextPowerOfTwo", CudnnConvAlgoSearch = " Heuristic ", CopyInDefaultStream = false, UseTf32 = true },
        };

        var (options, error) = CudaProviderSettings.For(settings);

        Assert.Null(error);
        Assert.Equal("3", options!["device_id"]);
        Assert.Equal("6442450944", options["gpu_mem_limit"]);
        Assert.Equal("kNextPowerOfTwo", options["arena_extend_strategy"]);
        Assert.Equal("HEURISTIC", options["cudnn_conv_algo_search"]);
        Assert.Equal("0", options["do_copy_in_default_stream"]);
        Assert.Equal("1", options["use_tf32"]);
    }

    [Theory]
    [InlineData("Default", "DEFAULT")]
    [InlineData("EXHAUSTIVE", "EXHAUSTIVE")]
    public void For_SearchNamesInAnyCase_MapToTheProviderNames(string setting, string expected)
    {
        var (options, _) = CudaProviderSettings.For(new OnnxRuntimeOptions { Cuda = new CudaOptions { CudnnConvAlgoSearch = setting } });

        Assert.Equal(expected, options!["cudnn_conv_algo_search"]);
    }

    [Theory]
    [InlineData("doubling", "Exhaustive", "Serving:OnnxRuntime:Cuda:ArenaExtendStrategy 'doubling'", "SameAsRequested or NextPowerOfTwo")]
    [InlineData("SameAsRequested", "fastest", "Serving:OnnxRuntime:Cuda:CudnnConvAlgoSearch 'fastest'", "Exhaustive, Heuristic or Default")]
    public void For_UnknownValue_ErrorNamesTheSettingAndItsChoices(string arena, string search, string setting, string choices)
    {
        var (options, error) = CudaProviderSettings.For(new OnnxRuntimeOptions { Cuda = new CudaOptions { ArenaExtendStrategy = arena, CudnnConvAlgoSearch = search } });

        Assert.Null(options);
        Assert.Contains(setting, error, StringComparison.Ordinal);
        Assert.Contains(choices, error, StringComparison.Ordinal);
    }

    [Fact]
    public void For_NegativeMemoryLimit_IsAnError()
    {
        var (options, error) = CudaProviderSettings.For(new OnnxRuntimeOptions { GpuMemoryLimitBytes = -1 });

        Assert.Null(options);
        Assert.Contains("GpuMemoryLimitBytes", error, StringComparison.Ordinal);
    }
}
