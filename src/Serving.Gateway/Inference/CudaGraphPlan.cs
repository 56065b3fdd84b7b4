using System.Globalization;
using Serving.Core.Protocol;

namespace Serving.Gateway.Inference;

/// <summary>
/// Which batch sizes a version on CUDA graphs (<c>Serving:OnnxRuntime:Cuda:Graphs</c>) captures, which one a batch
/// runs as, and which versions cannot have graphs at all. A captured graph replays one shape at fixed addresses,
/// so a version captures the powers of two below its largest batch and the largest batch itself, and a batch
/// is padded up to the next captured size; the graph's id (ONNX Runtime's run option <c>gpu_graph_id</c>) is that
/// size, never 0 (reserved by ONNX Runtime) or -1 (no graph).
/// </summary>
internal static class CudaGraphPlan
{
    /// <summary>The setting, as operators write it.</summary>
    public const string Setting = "Serving:OnnxRuntime:Cuda:Graphs";

    /// <summary>The run option that picks a captured graph.</summary>
    public const string GraphIdKey = "gpu_graph_id";

    /// <summary>The graph id of a run that neither captures nor replays a graph.</summary>
    public const string NoGraph = "-1";

    /// <summary>The sizes captured for batches of up to <paramref name="maxRows"/> rows, ascending: 1, 2, 4, ... and <paramref name="maxRows"/>.</summary>
    public static int[] Sizes(int maxRows)
    {
        if (maxRows <= 0)
        {
            return [];
        }
        var sizes = new List<int>();
        for (var size = 1; size < maxRows; size *= 2)
        {
            sizes.Add(size);
        }
        sizes.Add(maxRows);
        return [.. sizes];
    }

    /// <summary>
    /// The index in <paramref name="sizes"/> of the smallest size that holds <paramref name="rows"/> rows, or -1
    /// when none does (the batch then runs without a graph).
    /// </summary>
    public static int SizeIndexFor(int[] sizes, int rows)
    {
        if (rows <= 0)
        {
            return -1;
        }
        for (var i = 0; i < sizes.Length; i++)
        {
            if (sizes[i] >= rows)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Why a version that would run on <paramref name="provider"/> cannot have graphs; null on CUDA.</summary>
    public static string? ProviderRefusal(string model, int version, string provider) => provider == "cuda"
        ? null
        : $"{Setting} is on, but {model} version {version} would run on the {provider} provider: CUDA graphs need the CUDA provider. "
            + "Turn the setting off, or run the CUDA build with Serving:OnnxRuntime:ExecutionProvider=cuda.";

    /// <summary>
    /// Why a version with <paramref name="signature"/> cannot have graphs: a graph replays fixed shapes, so every
    /// input and output must lead with the dynamic batch dimension and fix all the others. Null when it can.
    /// </summary>
    public static string? ShapeRefusal(string model, int version, ModelSignature signature)
    {
        foreach (var (kind, specs) in new[] { ("input", signature.Inputs), ("output", signature.Outputs) })
        {
            foreach (var spec in specs)
            {
                if (spec.Shape.Count == 0 || spec.Shape[0] != -1 || spec.RowElementCount() < 0)
                {
                    var shape = string.Join(",", spec.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
                    return $"{Setting} is on, but {model} version {version}'s {kind} '{spec.Name}' has shape [{shape}] (-1: dynamic): "
                        + "a CUDA graph replays fixed shapes, so every dimension but the first (the batch, dynamic) must be fixed. "
                        + "Turn the setting off, or export the model with fixed dimensions after the batch.";
                }
            }
        }
        return null;
    }
}
