namespace Serving.Testing.Common;

/// <summary>Paths in the checkout, found by walking up from the test binaries to the folder holding Serving.sln.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The default model repository (credit-risk 1 and 2, image-classifier 1).</summary>
    public static string Models => Path.Combine(Root, "models");

    /// <summary>Models the gateway was not written for (ranker, fixed, dtypes, broken).</summary>
    public static string UnseenRepo => Path.Combine(Root, "tests", "fixtures", "unseen-repo");

    /// <summary>A model whose graph refuses values its signature allows (embedding: Gather over a 10-row table).</summary>
    public static string HostileRepo => Path.Combine(Root, "tests", "fixtures", "hostile-repo");

    public static string Fixture(string name) => Path.Combine(Root, "tests", "fixtures", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serving.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Serving.sln above {AppContext.BaseDirectory}.");
    }
}
