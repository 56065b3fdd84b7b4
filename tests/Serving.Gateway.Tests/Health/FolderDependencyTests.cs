using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Serving.Testing.Common;

namespace Serving.Gateway.Tests.Health;

/// <summary>
/// The folder dependency rules of docs/architecture.md, read from the source: which folders of src/ (each is
/// a namespace) each folder may name. An edge the rules do not allow fails, unless it is one of the listed
/// <see cref="KnownExceptions"/> (today's cycles, to be removed); an exception that no longer occurs fails
/// too, so the list only shrinks.
/// </summary>
public sealed class FolderDependencyTests
{
    /// <summary>What each folder may reference, besides itself. Folders not listed may reference nothing.</summary>
    internal static readonly Dictionary<string, string[]> Allowed = new()
    {
        // Core: Protocol, Drift and Storage stand alone; nothing in Core references ASP.NET Core.
        ["Serving.Core.Registry"] = ["Serving.Core.Repository", "Serving.Core.Storage"],
        ["Serving.Core.Rollouts"] = ["Serving.Core.Drift", "Serving.Core.Outcomes", "Serving.Core.Registry", "Serving.Core.Repository", "Serving.Core.Storage"],
        ["Serving.Core.Outcomes"] = ["Serving.Core.Drift", "Serving.Core.Storage"],
        // Gateway, from the bottom up: Metrics, Alerts, OnCall and Storage (the Redis connection, its epoch and
        // change channel, and the storage settings) stand alone.
        ["Serving.Gateway.Batching"] = ["Serving.Gateway.Metrics", "Serving.Gateway.Tracing"],
        ["Serving.Gateway.Drift"] = ["Serving.Gateway.Alerts", "Serving.Gateway.Batching", "Serving.Gateway.Metrics", "Serving.Gateway.Storage"],
        ["Serving.Gateway.Inference"] = ["Serving.Gateway.Batching", "Serving.Gateway.Drift", "Serving.Gateway.Metrics"],
        ["Serving.Gateway.Remote"] = ["Serving.Gateway.Metrics", "Serving.Gateway.Storage", "Serving.Gateway.Tracing"],
        ["Serving.Gateway.ConceptDrift"] = ["Serving.Gateway.Alerts", "Serving.Gateway.Metrics", "Serving.Gateway.Storage"],
        ["Serving.Gateway.Outcomes"] = ["Serving.Gateway.Batching", "Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Remote", "Serving.Gateway.Storage"],
        ["Serving.Gateway.PayloadLog"] = ["Serving.Gateway.Batching", "Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Storage"],
        ["Serving.Gateway.Experiments"] = ["Serving.Gateway.Storage"],
        ["Serving.Gateway.Registry"] = ["Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Remote", "Serving.Gateway.Storage"],
        ["Serving.Gateway.Rollouts"] = ["Serving.Gateway.Alerts", "Serving.Gateway.Batching", "Serving.Gateway.Experiments", "Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Registry", "Serving.Gateway.Storage"],
        ["Serving.Gateway.Protocol"] = ["Serving.Gateway.Batching", "Serving.Gateway.Drift", "Serving.Gateway.Inference", "Serving.Gateway.Metrics", "Serving.Gateway.Outcomes", "Serving.Gateway.PayloadLog", "Serving.Gateway.Registry", "Serving.Gateway.Remote", "Serving.Gateway.Rollouts"],
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
        var offending = SourceReferences.Source
            .Where(static r => r.From.StartsWith("Serving.Core.", StringComparison.Ordinal) && r.To.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal))
            .Select(static r => $"{r.File}:{r.Line} {r.Symbol}")
            .ToArray();

        Assert.Empty(offending);
    }

    [Fact]
    public void Source_EveryNameBinds()
    {
        // A name that does not bind (a missing reference assembly, a generated file not found) is an edge unseen.
        var unbound = SourceReferences.Unbound;
        Assert.True(unbound.Count == 0, $"{unbound.Count} names did not bind:\n" + string.Join("\n", unbound.Take(40)));
    }

    [Fact]
    public void Edges_FoundForAKnownReference()
    {
        // The scan sees what it must: the protocol layer does route to workers.
        Assert.Contains(Edges(), static e => e.From == "Serving.Gateway.Protocol" && e.To == "Serving.Gateway.Remote");
    }

    [Fact]
    public void Scan_RelativeNameGlobalUsingAndAlias_EachAnEdge()
    {
        // Names the old text scan could not see: none of the using files spells "Serving.Gateway.Low".
        string[] sources =
        [
            "namespace Serving.Gateway.Low; public static class Rule { public const int Limit = 3; public static int Twice(this int x) => 2 * x; }",
            "namespace Serving.Gateway.Low.Deeper; public sealed class Shape;",
            "global using Serving.Gateway.Low;",
            "namespace Serving.Gateway.Relative; static class User { static int N => Low.Rule.Limit; }",
            "namespace Serving.Gateway.Global { static class User { static int N => Rule.Limit; } }",
            "namespace Serving.Gateway.Extension; static class User { static int N => 4.Twice(); }",
            "namespace Serving.Gateway.Var; static class User { static object N() { var s = new Low.Deeper.Shape(); return s; } }",
            "namespace Serving.Gateway.Nameof; static class User { static string N => nameof(Rule.Limit); }",
            "using S = Serving.Gateway.Low.Deeper.Shape; namespace Serving.Gateway.Alias; static class User { static S? N => null; }",
        ];
        var trees = sources.Select(static (s, i) => CSharpSyntaxTree.ParseText(s, path: Path.Combine(RepositoryPaths.Root, $"probe{i}.cs"))).ToArray();
        var compilation = CSharpCompilation.Create("Probe", trees, [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)]);

        var edges = SourceReferences.Scan(compilation, trees, "Serving.Gateway").Select(static r => (r.From, r.To)).Distinct().ToArray();

        Assert.Equal(
            new[] { "Alias", "Extension", "Global", "Nameof", "Relative", "Var" }.Select(static f => ("Serving.Gateway." + f, "Serving.Gateway.Low")),
            edges.Order());
    }

    private static bool IsAllowed(string from, string to) =>
        Allowed.TryGetValue(from, out var allowed) && (allowed.Contains("*") || allowed.Contains(to));

    /// <summary>Every (folder, referenced folder, file) between folders of one project of src/.</summary>
    internal static List<(string From, string To, string File)> Edges() =>
        SourceReferences.Source.Where(static r => r.To.StartsWith(ProjectOf(r.From) + ".", StringComparison.Ordinal))
            .Select(static r => (r.From, r.To, r.File))
            .Distinct()
            .ToList();

    private static string ProjectOf(string folder) => folder[..folder.LastIndexOf('.')];
}
