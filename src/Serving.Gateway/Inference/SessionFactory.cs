using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;
using Serving.Core.Protocol;
using Serving.Gateway.Hosting;
using Serving.Gateway.Metrics;

namespace Serving.Gateway.Inference;

/// <summary>
/// Creates ONNX Runtime sessions with the configured execution provider and tuning, and reads their
/// signatures. Failures are values: a version that cannot load is reported, never thrown past here.
/// </summary>
internal sealed partial class SessionFactory(OnnxRuntimeOptions options, ILogger<SessionFactory> logger)
{
    /// <summary>The outcome of creating a session.</summary>
    internal readonly record struct Created(InferenceSession? Session, ModelSignature? Signature, string Provider, string? Error);

    public Created Create(string model, int version, string modelPath)
    {
        var provider = options.ExecutionProvider.Trim().ToLowerInvariant();
        if (provider is not ("auto" or "cuda" or "cpu"))
        {
            return new Created(null, null, "none", $"Unknown execution provider '{options.ExecutionProvider}'; use auto, cuda or cpu.");
        }
        SessionOptions? sessionOptions = null;
        try
        {
            sessionOptions = BuildOptions(model, version);
            var used = "cpu";
            if (provider is "cuda" or "auto")
            {
                try
                {
                    sessionOptions.AppendExecutionProvider_CUDA(options.CudaDeviceId);
                    used = "cuda";
                }
                catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
                {
                    if (provider == "cuda")
                    {
                        return new Created(null, null, "none", $"Execution provider 'cuda' was requested but CUDA is not available: {ex.Message}");
                    }
                    LogCudaFallback(logger, model, version, ex.Message);
                    ServingMetrics.ProviderFallbacks.Inc();
                }
            }
            var session = new InferenceSession(modelPath, sessionOptions);
            var (signature, error) = ReadSignature(session);
            if (error is not null)
            {
                session.Dispose();
                return new Created(null, null, used, error);
            }
            return new Created(session, signature, used, null);
        }
        catch (OnnxRuntimeException ex)
        {
            return new Created(null, null, "none", $"ONNX Runtime could not load {modelPath}: {ex.Message}");
        }
        finally
        {
            sessionOptions?.Dispose();
        }
    }

    private SessionOptions BuildOptions(string model, int version)
    {
        var so = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = options.GraphOptimizationLevel.ToLowerInvariant() switch
            {
                "disabled" => GraphOptimizationLevel.ORT_DISABLE_ALL,
                "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        so.AddSessionConfigEntry("session.inter_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        if (!string.IsNullOrEmpty(options.OptimizedModelCacheDirectory))
        {
            Directory.CreateDirectory(options.OptimizedModelCacheDirectory);
            so.OptimizedModelFilePath = Path.Combine(options.OptimizedModelCacheDirectory, $"{model}.{version}.optimized.onnx");
        }
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

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "CUDA is not available for {Model} version {Version}; falling back to CPU: {Reason}")]
    private static partial void LogCudaFallback(ILogger logger, string model, int version, string reason);
}
