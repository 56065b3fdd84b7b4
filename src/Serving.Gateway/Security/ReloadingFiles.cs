using System.IO.Hashing;
using System.Security.Cryptography;

namespace Serving.Gateway.Security;

/// <summary>
/// A value read from files (a certificate and its key, a certificate authority), read again when one of them
/// changes: <see cref="Current"/> compares the files' contents (length and a 64-bit hash) with those of the value
/// in use at most once per check interval, so a file replaced on disk (cert-manager, a Kubernetes secret) takes
/// effect without a restart. Contents, not modification times: a replacement written within the file system's
/// timestamp tick, or copied with its times kept, has the old time, and certificates of one shape often have
/// the same length. Files that do not load (half written, a key that does not match) are reported
/// once (event 6501), until they change again, and the previous value stays in use.
/// </summary>
internal sealed partial class ReloadingFiles<T> where T : class
{
    private readonly string _what;
    private readonly string[] _files;
    private readonly Func<T> _load;
    private readonly Action<T> _loaded;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _checkInterval;
    private readonly Lock _lock = new();
    private volatile T _current;
    private FileStamp[] _currentStamp;
    private FileStamp[]? _failedStamp;
    private long _nextCheck;

    /// <summary>
    /// Loads the value now; what <paramref name="load"/> throws reaches the caller, who says what did not load.
    /// <paramref name="loaded"/> is told of every value loaded, this first one included. <paramref name="what"/>
    /// names the value in the log ("certificate").
    /// </summary>
    public ReloadingFiles(string what, string[] files, TimeSpan checkInterval, TimeProvider time, Func<T> load, Action<T> loaded, ILogger logger)
    {
        _what = what;
        _files = files;
        _load = load;
        _loaded = loaded;
        _logger = logger;
        _time = time;
        _checkInterval = (long)(checkInterval.TotalSeconds * time.TimestampFrequency);
        _currentStamp = Stamp();
        _current = load();
        _nextCheck = time.GetTimestamp() + _checkInterval;
        loaded(_current);
    }

    /// <summary>The value to use now: the one loaded last from the files.</summary>
    public T Current
    {
        get
        {
            var now = _time.GetTimestamp();
            return now < Volatile.Read(ref _nextCheck) ? _current : Check(now);
        }
    }

    private T Check(long now)
    {
        lock (_lock)
        {
            if (now < _nextCheck)
            {
                return _current;
            }
            _nextCheck = now + _checkInterval;
            var stamp = Stamp();
            if (Same(stamp, _currentStamp) || (_failedStamp is not null && Same(stamp, _failedStamp)))
            {
                return _current;
            }
            try
            {
                _current = _load();
                _currentStamp = stamp;
                _loaded(_current);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Writers rarely replace several files at once: the next change of any is tried again.
                _failedStamp = stamp;
                LogReloadFailed(_logger, _what, string.Join(", ", _files), ex.Message);
            }
            // The value replaced stays undisposed: connections already open may still use it.
            return _current;
        }
    }

    private FileStamp[] Stamp()
    {
        var stamps = new FileStamp[_files.Length];
        for (var i = 0; i < _files.Length; i++)
        {
            try
            {
                // Certificate and key files are a few KiB, read at most once per check interval.
                var bytes = File.Exists(_files[i]) ? File.ReadAllBytes(_files[i]) : null;
                stamps[i] = bytes is null ? default : new FileStamp(bytes.LongLength, XxHash64.HashToUInt64(bytes));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stamps[i] = default;
            }
        }
        return stamps;
    }

    private static bool Same(FileStamp[] a, FileStamp[] b) => a.AsSpan().SequenceEqual(b);

    private readonly record struct FileStamp(long Length, ulong Hash);

    [LoggerMessage(EventId = 6501, Level = LogLevel.Warning, Message = "TLS: the changed {What} ({Files}) does not load ({Reason}); still using the previous one")]
    private static partial void LogReloadFailed(ILogger logger, string what, string files, string reason);
}
