using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using Serving.Core.Drift;
using StackExchange.Redis;

namespace Serving.Gateway.Drift;

/// <summary>
/// Merges the drift windows of all gateway replicas in Redis, so that each replica evaluates the same
/// counts: every replica's traffic, not only its own.
/// </summary>
/// <remarks>
/// <para>
/// One hash per window, <c>{prefix}:{model}:{version}:{windowId}</c> (the window id is the aligned period,
/// <c>floor(Unix time / window length)</c>), with fields <c>layout</c> (a fingerprint of the reference
/// bins, window length and sample cap), <c>rows</c>, <c>start</c>/<c>end</c> (Unix ms, earliest and
/// latest over the replicas), <c>b:{column}:{bin}</c> (bin counts; absent means 0), <c>m:{column}</c>
/// (missing counts), <c>s:{column}</c> (KS sample values, float32 little-endian, concatenated in publish
/// order and cut at <see cref="DriftOptions.MergedSampleCapacity"/>) and <c>r:{replica}</c> (one per
/// contributing replica: its row count). A single key keeps the publish one atomic script, and works on
/// Redis Cluster as it is.
/// </para>
/// <para>
/// A publish is one Lua script: if this replica's <c>r:</c> field exists it does nothing (a retried
/// publish never counts twice); if the stored layout differs it refuses (replicas with different
/// reference profiles or window settings must not add up bins that do not mean the same); otherwise it
/// HINCRBYs every non-zero count, appends the samples up to the cap, records the contributor and sets the
/// key to expire after ten window lengths plus the grace.
/// </para>
/// <para>
/// Redis down or slow: a call fails at once when the multiplexer is disconnected and otherwise after
/// <see cref="DriftOptions.MergeTimeout"/>; it never throws to the caller, counts
/// <c>serving_drift_merge_failures_total</c>, and logs once per outage (and once when it is back).
/// </para>
/// </remarks>
internal sealed partial class RedisDriftWindowExchange : IDriftWindowExchange
{
    private const string PublishScript = """
        local key = KEYS[1]
        if redis.call('HEXISTS', key, ARGV[1]) == 1 then
          return 0
        end
        local layout = redis.call('HGET', key, 'layout')
        if layout and layout ~= ARGV[2] then
          return -1
        end
        if not layout then
          redis.call('HSET', key, 'layout', ARGV[2])
        end
        redis.call('HINCRBY', key, 'rows', ARGV[3])
        local first = redis.call('HGET', key, 'start')
        if not first or tonumber(ARGV[4]) < tonumber(first) then
          redis.call('HSET', key, 'start', ARGV[4])
        end
        local last = redis.call('HGET', key, 'end')
        if not last or tonumber(ARGV[5]) > tonumber(last) then
          redis.call('HSET', key, 'end', ARGV[5])
        end
        local cap = tonumber(ARGV[7])
        local i = 9
        for c = 0, tonumber(ARGV[8]) - 1 do
          local bins = tonumber(ARGV[i])
          i = i + 1
          for b = 0, bins - 1 do
            if ARGV[i] ~= '0' then
              redis.call('HINCRBY', key, 'b:' .. c .. ':' .. b, ARGV[i])
            end
            i = i + 1
          end
          if ARGV[i] ~= '0' then
            redis.call('HINCRBY', key, 'm:' .. c, ARGV[i])
          end
          local add = ARGV[i + 1]
          i = i + 2
          if #add > 0 then
            local field = 's:' .. c
            local have = redis.call('HGET', key, field) or ''
            local room = cap - #have
            if room > 0 then
              redis.call('HSET', key, field, have .. string.sub(add, 1, room))
            end
          end
        end
        redis.call('HSET', key, ARGV[1], ARGV[3])
        redis.call('PEXPIRE', key, ARGV[6])
        return 1
        """;

    private const string Publish = "publish";
    private const string Read = "read";

    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly TimeSpan _timeout;
    private readonly int _sampleCapacity;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisDriftWindowExchange> _logger;
    private readonly string _replicaField;
    private int _outage;

    /// <summary>Creates the exchange. The caller owns <paramref name="redis"/>.</summary>
    /// <param name="redis">The shared connection (may be disconnected; calls then fail fast).</param>
    /// <param name="options">Grace, timeout, merged sample cap and key prefix.</param>
    /// <param name="timeProvider">The clock for the call timeouts.</param>
    /// <param name="logger">Logs outages and recoveries.</param>
    /// <param name="replicaId">This replica's name in the contributor fields; unique per process when null.</param>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    public RedisDriftWindowExchange(
        IConnectionMultiplexer redis, DriftOptions options, TimeProvider timeProvider, ILogger<RedisDriftWindowExchange> logger, string? replicaId = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.MergeGrace < TimeSpan.Zero || options.MergeTimeout <= TimeSpan.Zero || options.MergedSampleCapacity < 1
            || string.IsNullOrWhiteSpace(options.RedisKeyPrefix))
        {
            throw new ArgumentException(
                "Serving:Drift:MergeGrace must not be negative, MergeTimeout and MergedSampleCapacity must be positive, RedisKeyPrefix must be set.",
                nameof(options));
        }

        _redis = redis;
        _prefix = options.RedisKeyPrefix;
        MergeGrace = options.MergeGrace;
        _timeout = options.MergeTimeout;
        _sampleCapacity = options.MergedSampleCapacity;
        _time = timeProvider;
        _logger = logger;
        ReplicaId = replicaId ?? string.Create(
            CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}");
        _replicaField = "r:" + ReplicaId;
    }

    /// <inheritdoc />
    public bool IsShared => true;

    /// <inheritdoc />
    public TimeSpan MergeGrace { get; }

    /// <summary>This replica's name among a window's contributors.</summary>
    public string ReplicaId { get; }

    /// <summary>The Redis key of a window.</summary>
    public RedisKey KeyOf(DriftWindowKey key) =>
        string.Create(CultureInfo.InvariantCulture, $"{_prefix}:{key.Profile.Model}:{key.Profile.Version}:{key.WindowId}");

    /// <inheritdoc />
    public async ValueTask<bool> PublishAsync(DriftWindowKey key, DriftWindowSnapshot window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        ReferenceProfile profile = key.Profile;
        if (!_redis.IsConnected)
        {
            Fail(profile, Publish, "Redis is not connected", null);
            return false;
        }

        try
        {
            RedisResult result = await _redis.GetDatabase()
                .ScriptEvaluateAsync(PublishScript, [KeyOf(key)], PublishArguments(key, window))
                .WaitAsync(_timeout, _time, cancellationToken)
                .ConfigureAwait(false);
            if ((int)result < 0)
            {
                Fail(profile, Publish, "the window was already published with another layout (reference bins, window length or sample cap differ between replicas)", null);
                return false;
            }

            Succeeded();
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Fail(profile, Publish, ex.Message, ex);
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask<MergedDriftWindow?> TryReadMergedAsync(DriftWindowKey key, CancellationToken cancellationToken)
    {
        ReferenceProfile profile = key.Profile;
        if (!_redis.IsConnected)
        {
            Fail(profile, Read, "Redis is not connected", null);
            return null;
        }

        HashEntry[] entries;
        try
        {
            entries = await _redis.GetDatabase().HashGetAllAsync(KeyOf(key))
                .WaitAsync(_timeout, _time, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Fail(profile, Read, ex.Message, ex);
            return null;
        }

        (MergedDriftWindow? merged, string? error) = Parse(key, entries);
        if (merged is null)
        {
            Fail(profile, Read, error!, null);
            return null;
        }

        Succeeded();
        return merged;
    }

    private RedisValue[] PublishArguments(DriftWindowKey key, DriftWindowSnapshot window)
    {
        ImmutableArray<DriftColumnCounts> columns = window.Columns;
        int count = 8;
        foreach (DriftColumnCounts column in columns)
        {
            count += column.BinCounts.Length + 3;
        }

        var arguments = new RedisValue[count];
        arguments[0] = _replicaField;
        arguments[1] = Layout(key);
        arguments[2] = window.RowCount;
        arguments[3] = window.Start.ToUnixTimeMilliseconds();
        arguments[4] = window.End.ToUnixTimeMilliseconds();
        arguments[5] = (long)((key.Duration * 10) + MergeGrace).TotalMilliseconds;
        arguments[6] = (long)_sampleCapacity * sizeof(float);
        arguments[7] = columns.Length;
        int i = 8;
        foreach (DriftColumnCounts column in columns)
        {
            arguments[i++] = column.BinCounts.Length;
            foreach (long bin in column.BinCounts)
            {
                arguments[i++] = bin;
            }

            arguments[i++] = column.MissingCount;
            int take = Math.Min(column.Samples.Length, _sampleCapacity);
            var bytes = new byte[take * sizeof(float)];
            for (int s = 0; s < take; s++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(s * sizeof(float)), column.Samples[s]);
            }

            arguments[i++] = bytes;
        }

        return arguments;
    }

    /// <summary>
    /// What replicas must agree on to add their windows up: column names and bin edges (the reference
    /// profile), the window length and the merged sample cap, as an FNV-1a 64 fingerprint.
    /// </summary>
    private string Layout(DriftWindowKey key)
    {
        ulong hash = 14695981039346656037UL;
        Mix(ref hash, key.Duration.Ticks);
        Mix(ref hash, _sampleCapacity);
        Mix(ref hash, key.Profile.Columns.Length);
        foreach (ReferenceColumn column in key.Profile.Columns)
        {
            foreach (char ch in column.Name)
            {
                Mix(ref hash, ch);
            }

            Mix(ref hash, column.BinCount);
            foreach (double edge in column.Edges)
            {
                Mix(ref hash, BitConverter.DoubleToInt64Bits(edge));
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"v1:{key.Profile.Columns.Length}:{hash:x16}");
    }

    private static void Mix(ref ulong hash, long value)
    {
        for (int i = 0; i < 8; i++)
        {
            hash = (hash ^ (byte)(value >> (i * 8))) * 1099511628211UL;
        }
    }

    private void Fail(ReferenceProfile profile, string operation, string reason, Exception? exception)
    {
        DriftMetrics.MergeFailures.WithLabels(profile.Model, profile.Version, operation).Inc();
        if (Interlocked.Exchange(ref _outage, 1) == 0)
        {
            LogMergeUnavailable(profile.Model, profile.Version, operation, reason, exception);
        }
    }

    private void Succeeded()
    {
        if (Interlocked.Exchange(ref _outage, 0) == 1)
        {
            LogMergeRestored();
        }
    }
}
