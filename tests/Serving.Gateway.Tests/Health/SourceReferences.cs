using System.Reflection;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Serving.Testing.Common;

namespace Serving.Gateway.Tests.Health;

/// <summary>One use, in a hand-written file, of a symbol declared in another namespace.</summary>
/// <param name="From">The folder (namespace of the project, one level down) of the file that names it.</param>
/// <param name="To">The folder that declares the symbol, or its namespace in full outside the project.</param>
/// <param name="File">The file, relative to the repository root.</param>
/// <param name="Line">The 1-based line of the use.</param>
/// <param name="Symbol">What it binds to (type, member, extension method, attribute constructor).</param>
internal sealed record FolderReference(string From, string To, string File, int Line, string Symbol);

/// <summary>
/// Every reference between folders of src/Serving.Core and src/Serving.Gateway, read from a Roslyn semantic
/// model rather than the text: each name, member access, extension-method call, attribute, <c>nameof</c>,
/// <c>new()</c> and <c>var</c> is bound to its symbol, so a relative name (<c>Registry.ArtifactPath</c> inside
/// <c>namespace Serving.Core.Repository</c>), a global using or an alias counts the same as a fully
/// qualified one. Only hand-written files are scanned; the build's generated files under obj/ (global
/// usings, gRPC messages) are compiled beside them so that names bind, and source-generator output
/// (logging, regex, JSON contexts) is absent, which only leaves those generated members unbound. Doc
/// comments are not references. Files directly in a project's root (Program.cs) compose everything and are
/// skipped.
/// </summary>
internal static class SourceReferences
{
    /// <summary>Errors that say a name did not bind: a type, namespace, name or member not found.</summary>
    private static readonly HashSet<string> UnboundIds = new(StringComparer.Ordinal) { "CS0012", "CS0103", "CS0117", "CS0234", "CS0246", "CS1061" };

    private static readonly Lazy<(IReadOnlyList<FolderReference> References, IReadOnlyList<string> Unbound)> InSource = new(ScanSource);

    /// <summary>The references of src/ (Serving.Core, then Serving.Gateway), bound once per test run (tens of seconds of CPU, files in parallel).</summary>
    public static IReadOnlyList<FolderReference> Source => InSource.Value.References;

    /// <summary>
    /// The names of hand-written files that did not bind (file, line, compiler message), except members that
    /// the JSON source generator adds to a <c>JsonSerializerContext</c>: a reference the scan cannot see.
    /// </summary>
    public static IReadOnlyList<string> Unbound => InSource.Value.Unbound;

    /// <summary>
    /// The references made from folders of <paramref name="project"/> in the given trees of the compilation, the
    /// first use per (folder, referenced namespace, file): a namespace of the project as its folder, any other
    /// (System, Microsoft.AspNetCore...) in full.
    /// </summary>
    public static List<FolderReference> Scan(Compilation compilation, IEnumerable<SyntaxTree> handWritten, string project) =>
        // One semantic model per file, bound in parallel (a model is safe to share; the files are independent).
        handWritten.AsParallel().SelectMany(tree => Scan(compilation.GetSemanticModel(tree), project)).ToList();

    private static List<FolderReference> Scan(SemanticModel model, string project)
    {
        var found = new List<FolderReference>();
        var seen = new HashSet<(string, string)>();
        var tree = model.SyntaxTree;
        var file = Path.GetRelativePath(RepositoryPaths.Root, tree.FilePath);
        foreach (var node in tree.GetRoot().DescendantNodes())
        {
            if (node is not (SimpleNameSyntax or ImplicitObjectCreationExpressionSyntax or AttributeSyntax or ConstructorInitializerSyntax))
            {
                continue;
            }
            if (Folder(FileNamespace(model, node), project) is not { } from)
            {
                continue;
            }
            var info = model.GetSymbolInfo(node);
            var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
            foreach (var declared in Declarers(symbol))
            {
                var to = Folder(declared, project) ?? declared.ToDisplayString();
                if (to != from && !declared.IsGlobalNamespace && seen.Add((from, to)))
                {
                    var line = tree.GetLineSpan(node.Span).StartLinePosition.Line + 1;
                    found.Add(new FolderReference(from, to, file, line, symbol!.ToDisplayString()));
                }
            }
        }
        return found;
    }

    /// <summary>The namespace declared around <paramref name="node"/> (null for a file outside any).</summary>
    private static INamespaceSymbol? FileNamespace(SemanticModel model, SyntaxNode node) =>
        node.FirstAncestorOrSelf<BaseNamespaceDeclarationSyntax>() is { } declaration ? model.GetDeclaredSymbol(declaration) as INamespaceSymbol : null;

    /// <summary>The namespaces a use of <paramref name="symbol"/> depends on: its own, and its type arguments'.</summary>
    private static IEnumerable<INamespaceSymbol> Declarers(ISymbol? symbol)
    {
        switch (symbol)
        {
            case null or INamespaceSymbol or ILocalSymbol or IParameterSymbol or IRangeVariableSymbol or ILabelSymbol or ITypeParameterSymbol:
                yield break;
            case IArrayTypeSymbol array:
                foreach (var n in Declarers(array.ElementType))
                {
                    yield return n;
                }
                yield break;
            case IPointerTypeSymbol pointer:
                foreach (var n in Declarers(pointer.PointedAtType))
                {
                    yield return n;
                }
                yield break;
            case IMethodSymbol { ReducedFrom: { } extension } method:
                foreach (var n in Declarers(extension).Concat(method.TypeArguments.SelectMany(Declarers)))
                {
                    yield return n;
                }
                yield break;
            case IMethodSymbol method:
                foreach (var n in method.TypeArguments.SelectMany(Declarers))
                {
                    yield return n;
                }
                break;
            case INamedTypeSymbol type:
                foreach (var n in type.TypeArguments.SelectMany(Declarers))
                {
                    yield return n;
                }
                break;
        }
        if (symbol.ContainingNamespace is { } own)
        {
            yield return own;
        }
    }

    /// <summary>The folder of a namespace of <paramref name="project"/>: its first level below the project; null outside one.</summary>
    internal static string? Folder(INamespaceSymbol? ns, string project)
    {
        var name = ns?.ToDisplayString();
        if (name is null || !name.StartsWith(project + ".", StringComparison.Ordinal))
        {
            return null;
        }
        var next = name.IndexOf('.', project.Length + 1);
        return next < 0 ? name : name[..next];
    }

    private static (IReadOnlyList<FolderReference>, IReadOnlyList<string>) ScanSource()
    {
        var parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true);
        var references = FrameworkAndPackages();
        var found = new List<FolderReference>();
        var unbound = new List<string>();
        Compilation? core = null;
        foreach (var project in new[] { "Serving.Core", "Serving.Gateway" })
        {
            var handWritten = HandWritten(project).Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f)).ToArray();
            var generated = BuildGenerated(project).Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f));
            var compilation = CSharpCompilation.Create(project, handWritten.Concat(generated), core is null ? references : [.. references, core.ToMetadataReference()], options);
            found.AddRange(Scan(compilation, handWritten, project));
            unbound.AddRange(handWritten.AsParallel().SelectMany(tree => UnboundIn(compilation.GetSemanticModel(tree))).ToList());
            core ??= compilation;
        }
        return (found, unbound);
    }

    private static IEnumerable<string> UnboundIn(SemanticModel model) =>
        model.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && UnboundIds.Contains(d.Id) && !IsGeneratedMember(model, d.Location))
            .Select(static d => $"{Path.GetRelativePath(RepositoryPaths.Root, d.Location.SourceTree!.FilePath)}:{d.Location.GetLineSpan().StartLinePosition.Line + 1} {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");

    /// <summary>
    /// Whether the unbound name is a member of a JSON serializer context (its generated half is not compiled
    /// here), or a member of a value whose type could not be inferred because of one (a generic method given
    /// <c>Context.Default.X</c>: its type parameter, out of scope here, stands for the type).
    /// </summary>
    private static bool IsGeneratedMember(SemanticModel model, Location location)
    {
        var node = model.SyntaxTree.GetRoot().FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        if (node.DescendantNodesAndSelf().Concat(node.Ancestors()).OfType<MemberAccessExpressionSyntax>()
            .Any(access => IsJsonContext(model.GetSymbolInfo(access.Expression).Symbol as ITypeSymbol ?? model.GetTypeInfo(access.Expression).Type)))
        {
            return true;
        }
        ITypeSymbol? receiver = node.FirstAncestorOrSelf<SyntaxNode>(static n => n is MemberAccessExpressionSyntax or RecursivePatternSyntax or WithExpressionSyntax or BaseObjectCreationExpressionSyntax) switch
        {
            MemberAccessExpressionSyntax access => model.GetTypeInfo(access.Expression).Type,
            RecursivePatternSyntax pattern => model.GetTypeInfo(pattern).Type,
            WithExpressionSyntax with => model.GetTypeInfo(with.Expression).Type,
            BaseObjectCreationExpressionSyntax creation => model.GetTypeInfo(creation).Type,
            _ => null,
        };
        if (receiver is not ITypeParameterSymbol { DeclaringMethod: { } declaring })
        {
            return false;
        }
        for (var scope = model.GetEnclosingSymbol(location.SourceSpan.Start); scope is not null; scope = scope.ContainingSymbol)
        {
            if (SymbolEqualityComparer.Default.Equals(scope.OriginalDefinition, declaring.OriginalDefinition))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsJsonContext(ITypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.ToDisplayString() == "System.Text.Json.Serialization.JsonSerializerContext")
            {
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<string> HandWritten(string project)
    {
        var root = Path.Combine(RepositoryPaths.Root, "src", project);
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsUnder(f, Path.Combine(root, "obj")) && !IsUnder(f, Path.Combine(root, "bin")))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// The build's own generated sources for <paramref name="project"/> (global usings, gRPC messages), from the
    /// intermediate folder of the configuration these tests were built in: the CPU build's obj/, or the CUDA
    /// build's artifacts/gpu/obj/ (Directory.Build.props).
    /// </summary>
    private static IEnumerable<string> BuildGenerated(string project)
    {
        var configuration = typeof(SourceReferences).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var folder = new[]
        {
            Path.Combine(RepositoryPaths.Root, "src", project, "obj", configuration, framework),
            Path.Combine(RepositoryPaths.Root, "artifacts", "gpu", "obj", project, configuration, framework),
        }.FirstOrDefault(f => File.Exists(Path.Combine(f, project + ".GlobalUsings.g.cs")))
            ?? throw new InvalidOperationException($"No build of {project} ({configuration}, {framework}) to take its generated global usings from.");
        return Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// The framework assemblies this test process runs on (ASP.NET Core included) and the package assemblies
    /// beside the tests; the projects' own assemblies are left out, since their source is compiled instead.
    /// </summary>
    private static MetadataReference[] FrameworkAndPackages()
    {
        var platform = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var beside = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(beside)
            .Where(static f => !Path.GetFileName(f).StartsWith("Serving.", StringComparison.Ordinal))
            .DistinctBy(static f => Path.GetFileName(f), StringComparer.OrdinalIgnoreCase)
            .Where(IsManaged)
            .Select(static f => (MetadataReference)MetadataReference.CreateFromFile(f))
            .ToArray();
    }

    private static bool IsManaged(string file)
    {
        using var stream = File.OpenRead(file);
        using var reader = new PEReader(stream);
        try
        {
            return reader.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static bool IsUnder(string file, string folder) =>
        file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
