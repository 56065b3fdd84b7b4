using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Hosting;

/// <summary>
/// The gateway as the container image holds it: <c>dotnet publish</c>ed once into a root-owned,
/// read-only <c>app</c> directory (the image's <c>/app</c>), its models beside it, started as the image's
/// unprivileged uid 65532 (<c>setpriv</c>; when the tests do not run as root they are already
/// unprivileged and the directory is made read-only instead) with the environment the Dockerfile sets.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PublishedGateway : IDisposable
{
    /// <summary>The image's user (distroless "nonroot").</summary>
    public const int ImageUid = 65532;

    public PublishedGateway()
    {
        Root = Directory.CreateTempSubdirectory("serving-image-").FullName;
        App = Path.Combine(Root, "app");
        var publish = Run(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            ["publish", Path.Combine(RepositoryPaths.Root, "src", "Serving.Gateway", "Serving.Gateway.csproj"),
             "--no-build", "-c", BuildConfiguration(), "-o", App, "-nologo", "-v", "q"]);
        Assert.True(publish.ExitCode == 0, "dotnet publish failed:\n" + publish.Output);
        CopyDirectory(RepositoryPaths.Models, Path.Combine(App, "models"));
        // As the image's layers: every directory 755 (root-owned when the tests run as root), so the
        // gateway's user may read and enter them but not write.
        var readOnly = IsRoot ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute : UnixFileMode.UserRead | UnixFileMode.UserExecute;
        var mode = readOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(Root, mode);
        foreach (var directory in Directory.EnumerateDirectories(App, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(directory, mode);
        }
        File.SetUnixFileMode(App, mode);
    }

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>The temporary directory holding <see cref="App"/> and the state volumes.</summary>
    public string Root { get; }

    /// <summary>The published gateway, as the image's <c>/app</c>.</summary>
    public string App { get; }

    /// <summary>A fresh directory the gateway's user owns, as the image's <c>/var/lib/serving</c> volume.</summary>
    public string NewStateVolume()
    {
        var path = Path.Combine(Root, "state-" + Guid.NewGuid().ToString("N"));
        // The root directory is read-only to the tests when they are not root; create volumes as its owner would.
        if (IsRoot)
        {
            Directory.CreateDirectory(path);
            var chown = Run("chown", [$"{ImageUid}:{ImageUid}", path]);
            Assert.True(chown.ExitCode == 0, chown.Output);
            return path;
        }
        File.SetUnixFileMode(Root, File.GetUnixFileMode(Root) | UnixFileMode.UserWrite);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(Root, File.GetUnixFileMode(Root) & ~UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>Starts the published gateway as the image does, on a free loopback port, with <paramref name="environment"/> added.</summary>
    internal Process Start(int port, IReadOnlyDictionary<string, string> environment, BoundedLog output)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(IsRoot ? "setpriv" : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The image's WORKDIR.
            WorkingDirectory = App,
        };
        if (IsRoot)
        {
            foreach (var argument in (string[])["--reuid=" + ImageUid, "--regid=" + ImageUid, "--clear-groups", "--", dotnet])
            {
                start.ArgumentList.Add(argument);
            }
        }
        start.ArgumentList.Add(Path.Combine(App, "Serving.Gateway.dll"));
        // The Dockerfile's ENV, with this test's port and paths.
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        start.Environment["Serving__ModelRepository"] = Path.Combine(App, "models");
        start.Environment["DOTNET_gcServer"] = "1";
        // No gRPC endpoint: its default port (8001) is one per machine and tests run side by side.
        start.Environment["Serving__Grpc__Url"] = "";
        start.Environment["HOME"] = "/nonexistent";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("The gateway did not start.");
        process.OutputDataReceived += (_, e) => output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => output.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!IsRoot)
        {
            File.SetUnixFileMode(Root, File.GetUnixFileMode(Root) | UnixFileMode.UserWrite);
            foreach (var directory in Directory.EnumerateDirectories(App, "*", SearchOption.AllDirectories))
            {
                File.SetUnixFileMode(directory, File.GetUnixFileMode(directory) | UnixFileMode.UserWrite);
            }
            File.SetUnixFileMode(App, File.GetUnixFileMode(App) | UnixFileMode.UserWrite);
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private static (int ExitCode, string Output) Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    /// <summary>The configuration the tests were built in (the gateway must have been built in it too).</summary>
    private static string BuildConfiguration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
}
