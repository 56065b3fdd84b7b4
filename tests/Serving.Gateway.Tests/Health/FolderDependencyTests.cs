using System.Text.RegularExpressions;
using Serving.Gateway.Tests.Common;

namespace Serving.Gateway.Tests.Health;

/// <summary>
/// The folder dependency rules of docs/architecture.md, read from the source: which folders of src/ (each is
/// a namespace) each folder may name. An edge the rules do not allow fails, unless it is one of the listed
/// <see cref="KnownExceptions"/> (today's cycles, to be removed); an exception that no longer occurs fails
/// too, so the list only shrinks.
/// </summary>
public sealed partial class FolderDependencyTests
{
    /// <summary>What each folder may reference, besides itself. Folders not listed may reference nothing.</summary>
    internal static readonly Dictionary<string, string[]> Allowed = new()
    {
        // Core: Protocol, Drift and Storage stand alone; nothing in Core references ASP.NET Core.
        ["Serving.Core.Registry"] = ["Serving.Core.Repository", "Serving.Core.Storage"],
        ["Serving.Core.Rollouts"] = ["Serving.Core.Drift", "Serving.Core.Outcomes", "Serving.Core.Registry", "Serving.Core.Storage"],
        ["Serving.Core.Outcomes"] = ["Serving.Core.Drift", "Serving.Core.Storage"],
        // Gateway, from the bottom up: Metrics, Alerts, OnCall and Storage (the Redis connection, its epoch and
        // change channel, and the storage settings) stand alone.
        ["Serving.Gateway.Batching"] = ["Serving.Gateway.Metrics", "Serving.Gateway.Tracing"],
        ["Serving.Gateway.Inference"] = ["Serving.Gateway.Batching", "Serving.Gateway.Metrics"],
        ["Serving.Gateway.Drift"] = ["Serving.Gateway.Alerts", "Serving.Gateway.Batching", "Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Storage"],
        ["Serving.Gateway.Remote"] = ["Serving.Gateway.Metrics", "Serving.Gateway.Storage", "Serving.Gateway.Tracing"],
        ["Serving.Gateway.ConceptDrift"] = ["Serving.Gateway.Alerts", "Serving.Gateway.Metrics", "Serving.Gateway.Storage"],
        ["Serving.Gateway.Outcomes"] = ["Serving.Gateway.Batching", "Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Remote", "Serving.Gateway.Storage"],
        ["Serving.Gateway.PayloadLog"] = ["Serving.Gateway.Batching", "Serving.Gateway.Metrics", "Serving.Gateway.Storage"],
        ["Serving.Gateway.Experiments"] = ["Serving.Gateway.Storage"],
        ["Serving.Gateway.Registry"] = ["Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Remote", "Serving.Gateway.Storage"],
        ["Serving.Gateway.Rollouts"] = ["Serving.Gateway.Alerts", "Serving.Gateway.Batching", "Serving.Gateway.Experiments", "Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Registry", "Serving.Gateway.Storage"],
        ["Serving.Gateway.Protocol"] = ["Serving.Gateway.Batching", "Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Outcomes", "Serving.Gateway.PayloadLog", "Serving.Gateway.Registry", "Serving.Gateway.Remote", "Serving.Gateway.Rollouts"],
        ["Serving.Gateway.Grpc"] = ["Serving.Gateway.Batching", "Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Protocol", "Serving.Gateway.Registry", "Serving.Gateway.Remote", "Serving.Gateway.Rollouts"],
        ["Serving.Gateway.Security"] = ["Serving.Gateway.Grpc", "Serving.Gateway.Metrics", "Serving.Gateway.Protocol"],
        ["Serving.Gateway.Admin"] = ["Serving.Gateway.Alerts", "Serving.Gateway.ConceptDrift", "Serving.Gateway.Drift", "Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Outcomes", "Serving.Gateway.Protocol", "Serving.Gateway.Registry", "Serving.Gateway.Rollouts", "Serving.Gateway.Security"],
        // Hosting composes the process: it may reference every folder, and none may reference it.
        ["Serving.Gateway.Hosting"] = ["*"],
    };

    /// <summary>
    /// Edges against the rules that exist today, each with why. Delete a line when its edge is gone (the test
    /// says so).
    /// </summary>
    internal static readonly (string From, string To, string Why)[] KnownExceptions =
    [
        ("Serving.Gateway.Inference", "Serving.Gateway.Drift", "the version's drift monitor (Drift also references Inference)"),
        ("Serving.Gateway.Remote", "Serving.Gateway.Protocol", "ProtocolErrors for forwarding failures (Protocol also references Remote)"),
        ("Serving.Core.Repository", "Serving.Core.Registry", "the repository layout applies the registry's model-name rule and artifact-path check"),
        ("Serving.Gateway.Tracing", "Serving.Gateway.Batching", "the batch span reads the work items' trace parents (Batching also starts the spans)"),
        ("Serving.Gateway.Security", "Serving.Gateway.Admin", "API keys share the admin token-file reader (Admin also uses SecretComparison)"),
        ("Serving.Gateway.Experiments", "Serving.Gateway.Rollouts", "the arms observer reads the rollout table (the rollout loop reads the arms)"),
        ("Serving.Gateway.Outcomes", "Serving.Gateway.Protocol", "the prediction log reads the request's route (Protocol records into the log)"),
        ("Serving.Gateway.PayloadLog", "Serving.Gateway.Protocol", "the payload record reads the request's route (Protocol offers to the log)"),
    ];

    [Fact]
    public void Source_EveryFolderReferenceAllowedOrAKnownException()
    {
        var edges = Edges();
        var broken = edges
            .Where(static e => !IsAllowed(e.From, e.To) && !KnownExceptions.Any(x => x.From == e.From && x.To == e.To))
            .Select(static e => $"{e.From} -> {e.To} ({e.File})")
            .ToArray();

        Assert.True(broken.Length == 0, "References against the folder rules (docs/architecture.md):\n" + string.Join("\n", broken));
    }

    [Fact]
    public void KnownExceptions_EachStillOccurs()
    {
        var edges = Edges();
        var gone = KnownExceptions.Where(x => !edges.Any(e => e.From == x.From && e.To == x.To)).Select(static x => $"{x.From} -> {x.To}").ToArray();

        Assert.True(gone.Length == 0, "These exceptions no longer occur: delete them from KnownExceptions:\n" + string.Join("\n", gone));
    }

    [Fact]
    public void Source_CoreReferencesNoAspNetCore()
    {
        var offending = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src", "Serving.Core"), "*.cs", SearchOption.AllDirectories)
            .Where(static f => !IsBuildOutput(f))
            .Where(static f => Code(f).Any(static l => l.Contains("Microsoft.AspNetCore", StringComparison.Ordinal)))
            .ToArray();

        Assert.Empty(offending);
    }

    [Fact]
    public void Edges_FoundForAKnownReference()
    {
        // The scan sees what it must: the protocol layer does route to workers.
        Assert.Contains(Edges(), static e => e.From == "Serving.Gateway.Protocol" && e.To == "Serving.Gateway.Remote");
    }

    private static bool IsAllowed(string from, string to) =>
        Allowed.TryGetValue(from, out var allowed) && (allowed.Contains("*") || allowed.Contains(to));

    /// <summary>Every (folder, referenced folder, file) in src/, from usings and qualified names outside comments.</summary>
    internal static List<(string From, string To, string File)> Edges()
    {
        var edges = new List<(string, string, string)>();
        foreach (var project in new[] { "Serving.Core", "Serving.Gateway" })
        {
            var root = Path.Combine(RepositoryPaths.Root, "src", project);
            foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Where(static f => !IsBuildOutput(f)))
            {
                var relative = Path.GetRelativePath(root, file);
                var folder = relative.Contains(Path.DirectorySeparatorChar) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar)] : "";
                if (folder.Length == 0)
                {
                    continue; // Program.cs and project-wide files compose everything.
                }
                var from = project + "." + folder;
                foreach (var to in Code(file).SelectMany(static l => FolderReference().Matches(l)).Select(static m => m.Groups[1].Value).Distinct())
                {
                    // Across projects the project rules hold (the compiler enforces them): only folders of one project here.
                    if (to != from && to.StartsWith(project + ".", StringComparison.Ordinal))
                    {
                        edges.Add((from, to, Path.GetRelativePath(RepositoryPaths.Root, file)));
                    }
                }
            }
        }
        return edges;
    }

    private static bool IsBuildOutput(string file) =>
        file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    /// <summary>The file's lines without comments (whole-line and trailing // comments).</summary>
    private static IEnumerable<string> Code(string file) =>
        File.ReadLines(file)
            .Select(static l => l.TrimStart())
            .Where(static l => !l.StartsWith("//", StringComparison.Ordinal) && !l.StartsWith('*'))
            .Select(static l => l.IndexOf(" //", StringComparison.Ordinal) is var c and >= 0 ? l[..c] : l);

    [GeneratedRegex(@"\b(Serving\.(?:Core|Gateway)\.[A-Z][A-Za-z]+)\b")]
    private static partial Regex FolderReference();
}
