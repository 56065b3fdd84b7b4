using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace Serving.Gateway.Inference;

/// <summary>
/// Where each version's optimized graph is kept between loads (<c>Serving:OnnxRuntime:OptimizedModelCacheDirectory</c>).
/// A cached graph is only valid for the exact source file, execution provider, optimization level and
/// ONNX Runtime build that produced it (an <c>all</c>-level graph may use kernels specific to the
/// machine's instruction set), so all of these are part of its file name: a changed model file or an
/// upgraded runtime simply misses the cache. Graphs are written under a temporary name and renamed
/// into place once the session that wrote them loaded, so a crash mid-write leaves no cache entry.
/// </summary>
internal sealed class OptimizedModelCache(string directory)
{
    private static readonly string RuntimeVersion = OrtEnv.Instance().GetVersionString();

    /// <summary>The cache entry for <paramref name="sourcePath"/> loaded with these settings.</summary>
    public string PathFor(string model, int version, string sourcePath, string provider, GraphOptimizationLevel level)
    {
        var source = new FileInfo(sourcePath);
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{model}.{version}.{source.Length}-{source.LastWriteTimeUtc.Ticks}.{provider}.{LevelName(level)}.ort-{RuntimeVersion}.onnx");
        return Path.Combine(directory, key);
    }

    /// <summary>A fresh temporary name in the cache directory for ONNX Runtime to write a graph to.</summary>
    public string TemporaryPath()
    {
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $".writing-{Guid.NewGuid():N}.onnx");
    }

    /// <summary>Moves a graph ONNX Runtime finished writing into its cache entry.</summary>
    public static void Commit(string temporaryPath, string entryPath) => File.Move(temporaryPath, entryPath, overwrite: true);

    /// <summary>Deletes <paramref name="path"/> if it exists; a cache that cannot be cleaned is only a cache.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string LevelName(GraphOptimizationLevel level) => level switch
    {
        GraphOptimizationLevel.ORT_DISABLE_ALL => "disabled",
        GraphOptimizationLevel.ORT_ENABLE_BASIC => "basic",
        GraphOptimizationLevel.ORT_ENABLE_EXTENDED => "extended",
        _ => "all",
    };
}
