using System.Diagnostics;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.OnCall;

/// <summary>
/// Opens a page in Debian's <c>chromium</c>, headless, with nothing that talks to the network on its own.
/// <c>--virtual-time-budget</c> lets the page's scripts and fetches finish before the DOM is dumped or the
/// screenshot taken. Every console message of the page (errors, uncaught exceptions, failed loads, CSP
/// violations) appears in chromium's stderr as a <c>:CONSOLE</c> line, which <see cref="Page.ConsoleMessages"/> collects.
/// </summary>
internal static class HeadlessChromium
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Where screenshots go for a human to look at (git-ignored).</summary>
    public static string OutputDirectory { get; } = Path.Combine(RepositoryPaths.Root, "test-output", "console");

    /// <summary>The page's DOM after its scripts ran.</summary>
    public static async Task<Page> DumpDomAsync(Uri url)
    {
        var (stdout, stderr) = await RunAsync(url, "--dump-dom");
        return new Page(stdout, ConsoleLines(stderr));
    }

    /// <summary>Saves a PNG of the page under <see cref="OutputDirectory"/> and returns its path.</summary>
    public static async Task<Page> ScreenshotAsync(Uri url, string name)
    {
        Directory.CreateDirectory(OutputDirectory);
        var path = Path.Combine(OutputDirectory, name + ".png");
        File.Delete(path);
        var (_, stderr) = await RunAsync(url, "--screenshot=" + path);
        Assert.True(File.Exists(path), $"chromium wrote no screenshot to {path}; its stderr:\n{stderr}");
        return new Page(path, ConsoleLines(stderr));
    }

    private static async Task<(string Stdout, string Stderr)> RunAsync(Uri url, string action)
    {
        var profile = Directory.CreateTempSubdirectory("serving-chromium-");
        var start = new ProcessStartInfo("chromium")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + profile.FullName, "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=10000", "--window-size=1280,1800", action, url.ToString()])
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = StartOrExplain(start);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(RunTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish {action} {url} within {RunTimeout}.");
            }
            return (await stdout, await stderr);
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // chromium's helpers may still hold a file for a moment; a leftover temp profile is harmless.
            }
        }
    }

    private static Process StartOrExplain(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("chromium did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("chromium is missing: install the Debian package 'chromium' (scripts/install-deps.sh does).", e);
        }
    }

    private static List<string> ConsoleLines(string stderr)
    {
        var lines = new List<string>();
        foreach (var line in stderr.Split('\n'))
        {
            if (line.Contains(":CONSOLE", StringComparison.Ordinal))
            {
                lines.Add(line);
            }
        }
        return lines;
    }

    /// <summary>What a run produced: the DOM (or the screenshot's path) and the page's console messages.</summary>
    internal sealed record Page(string Output, IReadOnlyList<string> ConsoleMessages);
}
