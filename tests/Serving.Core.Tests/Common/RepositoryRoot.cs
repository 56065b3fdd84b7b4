namespace Serving.Core.Tests.Common;

/// <summary>The checkout's root: the first folder above the test binaries that holds Serving.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Serving.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Serving.sln above {AppContext.BaseDirectory}.");
    }
}
