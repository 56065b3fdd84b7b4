using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Serving.Core.Protocol;
using Serving.Gateway.Metrics;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace Serving.Gateway.Inference;

/// <summary>
/// Creates ONNX Runtime sessions with the configured execution provider and tuning, and reads their
/// signatures. Failures are values: a version that cannot load is reported, never thrown past here.
/// </summary>
internal sealed partial class SessionFactory
{
    private readonly OnnxRuntimeOptions _options;

    private readonly ILogger<SessionFactory> _logger;

    private readonly GpuMemoryBudget _gpuBudget;

    public SessionFactory(OnnxRuntimeOptions options, ILogger<SessionFactory> logger)
    {
        _options = options;
        _logger = logger;
        _gpuBudget = new GpuMemoryBudget(options.GpuMemoryBudgetBytes);
        if (!OnnxRuntimeBuild.HasCudaProvider && options.ExecutionProvider.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            // Said once per process instead of a fallback warning per version: nothing failed, this build
            // simply has no CUDA provider to try.
            LogCpuBuild(logger, OnnxRuntimeBuild.Version);
        }
    }

    /// <summary>
    /// A session, or why there is none: <paramref name="Error"/> in full for the log, and
    /// <paramref name="PublicError"/>, when the full text names paths or ONNX Runtime's internals, for
    /// unauthenticated clients. A CUDA session holds its share of the GPU memory budget
    /// (<paramref name="GpuMemory"/>) until the version disposes it.
    /// </summary>
    internal readonly record struct Created(
        InferenceSession? Session, ModelSignature? Signature, string Provider, string? Error, bool FromCache = false,
        GpuMemoryBudget.Reservation? GpuMemory = null, string? PublicError = null);

    private const string CudaUnavailablePublic = "Execution provider 'cuda' was requested but CUDA is not available on this server.";

    public Created Create(string model, int version, string modelPath)
    {
        var provider = _options.ExecutionProvider.Trim().ToLowerInvariant();
        if (provider is not ("auto" or "cuda" or "cpu"))
        {
            return new Created(null, null, "none", $"Unknown execution provider '{_options.ExecutionProvider}'; use auto, cuda or cpu.");
        }
        SessionOptions? sessionOptions = null;
        GpuMemoryBudget.Reservation? gpuMemory = null;
        var used = "cpu";
        try
        {
            var level = OptimizationLevel();
            sessionOptions = BuildOptions(level);
            if (provider == "cuda" && !OnnxRuntimeBuild.HasCudaProvider)
            {
                return new Created(null, null, "none", $"Execution provider 'cuda' was requested but CUDA is not available: {OnnxRuntimeBuild.CudaUnavailableReason("")}.",
                    PublicError: CudaUnavailablePublic);
            }
            if (provider is "cuda" or "auto" && OnnxRuntimeBuild.HasCudaProvider)
            {
                var (cudaSettings, settingsError) = CudaProviderSettings.For(_options);
                if (settingsError is not null)
                {
                    return new Created(null, null, "none", settingsError);
                }
                gpuMemory = _gpuBudget.TryReserve(model, version, _options.GpuMemoryLimitBytes, out var refusal);
                if (gpuMemory is null)
                {
                    return new Created(null, null, "none", refusal);
                }
                try
                {
                    using var cudaOptions = new OrtCUDAProviderOptions();
                    cudaOptions.UpdateOptions(cudaSettings!);
                    sessionOptions.AppendExecutionProvider_CUDA(cudaOptions);
                    used = "cuda";
                }
                catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
                {
                    gpuMemory.Dispose();
                    gpuMemory = null;
                    var reason = OnnxRuntimeBuild.CudaUnavailableReason(ex.Message);
                    if (provider == "cuda")
                    {
                        return new Created(null, null, "none", $"Execution provider 'cuda' was requested but CUDA is not available: {reason}",
                            PublicError: CudaUnavailablePublic);
                    }
                    LogCudaFallback(_logger, model, version, reason);
                    ServingMetrics.ProviderFallbacks.Inc();
                }
            }
            if (_options.Cuda.Graphs && CudaGraphPlan.ProviderRefusal(model, version, used) is { } notOnCuda)
            {
                return new Created(null, null, "none", notOnCuda);
            }
            var (session, fromCache) = string.IsNullOrEmpty(_options.OptimizedModelCacheDirectory)
                ? (new InferenceSession(modelPath, sessionOptions), false)
                : CreateThroughCache(new OptimizedModelCache(_options.OptimizedModelCacheDirectory), model, version, modelPath, used, level, sessionOptions);
            var (signature, error) = ReadSignature(session);
            if (error is null && _options.Cuda.Graphs)
            {
                error = CudaGraphPlan.ShapeRefusal(model, version, signature!);
            }
            if (error is not null)
            {
                session.Dispose();
                gpuMemory?.Dispose();
                return new Created(null, null, used, error);
            }
            return new Created(session, signature, used, null, fromCache, gpuMemory);
        }
        catch (OnnxRuntimeException ex)
        {
            gpuMemory?.Dispose();
            // ONNX Runtime refuses graph capture when the session is created: control flow, or nodes off the CUDA provider.
            var graphs = _options.Cuda.Graphs && used == "cuda" ? $" ({CudaGraphPlan.Setting} is on: a model with control flow or with nodes the CUDA provider does not run cannot be captured)" : "";
            return new Created(null, null, "none", $"ONNX Runtime could not load {modelPath}: {ex.Message}{graphs}",
                PublicError: "ONNX Runtime could not load the model file.");
        }
        finally
        {
            sessionOptions?.Dispose();
        }
    }

    /// <summary>
    /// Loads the cached optimized graph when there is a valid one (skipping optimization), else loads
    /// the source, writing its optimized graph to the cache. A cache entry ONNX Runtime cannot load is
    /// deleted and the source loaded instead; a cache that cannot be written only costs the next load
    /// its optimization time. Only an unloadable source model fails.
    /// </summary>
    private (InferenceSession Session, bool FromCache) CreateThroughCache(
        OptimizedModelCache cache, string model, int version, string modelPath, string provider, GraphOptimizationLevel level, SessionOptions sessionOptions)
    {
        if (!File.Exists(modelPath))
        {
            // Nothing to cache: ONNX Runtime reports the missing file the way it does without a cache.
            return (new InferenceSession(modelPath, sessionOptions), false);
        }
        var entry = cache.PathFor(model, version, modelPath, provider, level);
        if (File.Exists(entry))
        {
            sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
            try
            {
                return (new InferenceSession(entry, sessionOptions), true);
            }
            catch (OnnxRuntimeException ex)
            {
                LogCacheEntryUnusable(_logger, model, version, entry, ex.Message);
                OptimizedModelCache.TryDelete(entry);
            }
            sessionOptions.GraphOptimizationLevel = level;
        }
        string temporary;
        try
        {
            temporary = cache.TemporaryPath();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCacheNotWritten(_logger, model, version, ex.Message);
            return (new InferenceSession(modelPath, sessionOptions), false);
        }
        sessionOptions.OptimizedModelFilePath = temporary;
        InferenceSession session;
        try
        {
            session = new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            // Either the model does not load (the plain load below says so) or its optimized graph
            // cannot be written: serve it uncached.
            OptimizedModelCache.TryDelete(temporary);
            sessionOptions.OptimizedModelFilePath = "";
            var uncached = new InferenceSession(modelPath, sessionOptions);
            LogCacheNotWritten(_logger, model, version, ex.Message);
            return (uncached, false);
        }
        try
        {
            OptimizedModelCache.Commit(temporary, entry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            OptimizedModelCache.TryDelete(temporary);
            LogCacheNotWritten(_logger, model, version, ex.Message);
        }
        return (session, false);
    }

    private GraphOptimizationLevel OptimizationLevel() => _options.GraphOptimizationLevel.ToLowerInvariant() switch
    {
        "disabled" => GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    private SessionOptions BuildOptions(GraphOptimizationLevel level)
    {
        var so = new SessionOptions
        {
            IntraOpNumThreads = _options.IntraOpThreads > 0 ? _options.IntraOpThreads : Environment.ProcessorCount,
            InterOpNumThreads = _options.InterOpThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = level,
        };
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", _options.AllowSpinning ? "1" : "0");
        so.AddSessionConfigEntry("session.inter_op.allow_spinning", _options.AllowSpinning ? "1" : "0");
        return so;
    }

    private static (ModelSignature? Signature, string? Error) ReadSignature(InferenceSession session)
    {
        var inputs = new List<TensorSpec>();
        foreach (var name in session.InputNames)
        {
            var (spec, error) = ToSpec("input", name, session.InputMetadata[name]);
            if (error is not null)
            {
                return (null, error);
            }
            inputs.Add(spec!);
        }
        var outputs = new List<TensorSpec>();
        foreach (var name in session.OutputNames)
        {
            var (spec, error) = ToSpec("output", name, session.OutputMetadata[name]);
            if (error is not null)
            {
                return (null, error);
            }
            outputs.Add(spec!);
        }
        return (new ModelSignature(inputs, outputs), null);
    }

    private static (TensorSpec? Spec, string? Error) ToSpec(string kind, string name, NodeMetadata metadata)
    {
        if (!metadata.IsTensor)
        {
            return (null, $"The model's {kind} '{name}' is not a tensor ({metadata.OnnxValueType}); only tensors are served.");
        }
        var type = OrtTypeMap.ToProtocol(metadata.ElementDataType);
        if (type == TensorDataType.Unknown)
        {
            return (null, $"The model's {kind} '{name}' has element type {metadata.ElementDataType}, which the gateway does not serve.");
        }
        if (metadata.Dimensions.Length > TensorShape.MaxRank)
        {
            return (null, $"The model's {kind} '{name}' has {metadata.Dimensions.Length} dimensions; at most {TensorShape.MaxRank} are served.");
        }
        var shape = new long[metadata.Dimensions.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = metadata.Dimensions[i] < 0 ? -1 : metadata.Dimensions[i];
        }
        return (new TensorSpec(name, type, shape), null);
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "The cached optimized graph of {Model} version {Version} ({Path}) could not be loaded and was deleted; loading the model file: {Reason}")]
    private static partial void LogCacheEntryUnusable(ILogger logger, string model, int version, string path, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "The optimized graph of {Model} version {Version} was not cached; the next load optimizes it again: {Reason}")]
    private static partial void LogCacheNotWritten(ILogger logger, string model, int version, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "This is the CPU build of the gateway (ONNX Runtime {Version}, no CUDA provider): every version runs on CPU. Build with -p:OnnxRuntimeFlavor=Gpu for CUDA.")]
    private static partial void LogCpuBuild(ILogger logger, string version);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "CUDA is not available for {Model} version {Version}; falling back to CPU: {Reason}")]
    private static partial void LogCudaFallback(ILogger logger, string model, int version, string reason);
}
