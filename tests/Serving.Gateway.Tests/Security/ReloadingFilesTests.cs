using Microsoft.Extensions.Logging.Abstractions;
using Serving.Gateway.Security;

namespace Serving.Gateway.Tests.Security;

/// <summary>
/// A replaced certificate file is noticed by its contents: a replacement of the same length whose modification
/// time is the old one (written within one file-system timestamp tick, or copied with its times kept) still loads.
/// </summary>
public sealed class ReloadingFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("serving-reload-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Current_ReplacementWithSameLengthAndTime_Loaded()
    {
        var file = Path.Combine(_directory, "ca.pem");
        File.WriteAllText(file, "old authority");
        var written = File.GetLastWriteTimeUtc(file);
        var loads = new List<string>();
        var files = new ReloadingFiles<string>("test file", [file], TimeSpan.Zero, TimeProvider.System,
            () => File.ReadAllText(file), loads.Add, NullLogger.Instance);

        File.WriteAllText(file, "new authority");
        File.SetLastWriteTimeUtc(file, written);

        Assert.Equal("new authority", files.Current);
        Assert.Equal(["old authority", "new authority"], loads);
    }

    [Fact]
    public void Current_FileUnchanged_NotLoadedAgain()
    {
        var file = Path.Combine(_directory, "ca.pem");
        File.WriteAllText(file, "authority");
        var loads = 0;
        var files = new ReloadingFiles<string>("test file", [file], TimeSpan.Zero, TimeProvider.System,
            () => File.ReadAllText(file), _ => loads++, NullLogger.Instance);

        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1)); // touched, same contents

        Assert.Equal("authority", files.Current);
        Assert.Equal("authority", files.Current);
        Assert.Equal(1, loads);
    }
}
