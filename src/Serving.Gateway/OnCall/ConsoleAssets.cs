using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Serving.Gateway.OnCall;

/// <summary>
/// The console's files (<c>OnCall/wwwroot/</c>) and the runbooks (<c>docs/runbooks/</c>), embedded in the
/// gateway assembly at build time under the resource names <c>console/&lt;path&gt;</c>, so the console
/// works on a machine with nothing but the binary and fetches nothing from elsewhere.
/// </summary>
internal static class ConsoleAssets
{
    private const string Prefix = "console/";

    /// <summary>Every file by its path below <c>/console/</c> (e.g. <c>index.html</c>, <c>runbooks/drift.md</c>).</summary>
    public static FrozenDictionary<string, ConsoleAsset> Files { get; } = Load();

    private static FrozenDictionary<string, ConsoleAsset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var files = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var content = Read(assembly, name);
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
            files[name[Prefix.Length..]] = new ConsoleAsset(content, ContentTypeOf(name), etag);
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is listed but cannot be opened.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        // Runbooks are Markdown, shown as text so a browser displays them instead of downloading them.
        _ => "text/plain; charset=utf-8",
    };
}
