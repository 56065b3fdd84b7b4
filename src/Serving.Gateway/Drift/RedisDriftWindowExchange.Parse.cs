using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using Serving.Core.Drift;
using StackExchange.Redis;

namespace Serving.Gateway.Drift;

/// <summary>Reading the merged window back from the Redis hash every replica adds its counts to.</summary>
internal sealed partial class RedisDriftWindowExchange
{
    private (MergedDriftWindow? Window, string? Error) Parse(DriftWindowKey key, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return (null, "the merged window is not in Redis (expired, evicted or lost in a restart)");
        }

        ReferenceProfile profile = key.Profile;
        int columnCount = profile.Columns.Length;
        var bins = new long[columnCount][];
        for (int c = 0; c < columnCount; c++)
        {
            bins[c] = new long[profile.Columns[c].BinCount];
        }

        var missing = new long[columnCount];
        var samples = new float[columnCount][];
        string? layout = null;
        long rows = 0;
        long start = long.MaxValue;
        long end = long.MinValue;
        int replicas = 0;
        bool includesThisReplica = false;
        foreach (HashEntry entry in entries)
        {
            string name = entry.Name.ToString();
            bool valid;
            switch (name)
            {
                case "layout":
                    layout = entry.Value.ToString();
                    valid = true;
                    break;
                case "rows":
                    valid = entry.Value.TryParse(out rows);
                    break;
                case "start":
                    valid = entry.Value.TryParse(out start);
                    break;
                case "end":
                    valid = entry.Value.TryParse(out end);
                    break;
                default:
                    if (name.StartsWith("r:", StringComparison.Ordinal))
                    {
                        replicas++;
                        includesThisReplica |= string.Equals(name, _replicaField, StringComparison.Ordinal);
                        valid = true;
                    }
                    else
                    {
                        valid = TryReadColumnField(name, entry.Value, bins, missing, samples);
                    }

                    break;
            }

            if (!valid)
            {
                return (null, $"unreadable field '{name}' in the merged window");
            }
        }

        if (!string.Equals(layout, Layout(key), StringComparison.Ordinal))
        {
            return (null, "the merged window has another layout (reference bins, window length or sample cap differ between replicas)");
        }

        if (!includesThisReplica)
        {
            return (null, "the merged window does not contain this replica's counts");
        }

        if (start == long.MaxValue || end == long.MinValue)
        {
            return (null, "the merged window has no start or end");
        }

        var columns = ImmutableArray.CreateBuilder<DriftColumnCounts>(columnCount);
        for (int c = 0; c < columnCount; c++)
        {
            columns.Add(new DriftColumnCounts(
                ImmutableCollectionsMarshal.AsImmutableArray(bins[c]),
                missing[c],
                samples[c] is { } values ? ImmutableCollectionsMarshal.AsImmutableArray(values) : []));
        }

        var window = new DriftWindowSnapshot
        {
            Model = profile.Model,
            Version = profile.Version,
            Start = DateTimeOffset.FromUnixTimeMilliseconds(start),
            End = DateTimeOffset.FromUnixTimeMilliseconds(end),
            RowCount = rows,
            Columns = columns.MoveToImmutable(),
        };
        return (new MergedDriftWindow(window, replicas), null);
    }

    /// <summary>Reads a <c>b:</c>, <c>m:</c> or <c>s:</c> field into the arrays; false for anything else or out of range.</summary>
    private static bool TryReadColumnField(string name, RedisValue value, long[][] bins, long[] missing, float[][] samples)
    {
        if (name.Length < 3 || name[1] != ':')
        {
            return false;
        }

        ReadOnlySpan<char> rest = name.AsSpan(2);
        switch (name[0])
        {
            case 'b':
                int colon = rest.IndexOf(':');
                if (colon < 0
                    || !int.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int c)
                    || !int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int b)
                    || c >= bins.Length || b >= bins[c].Length)
                {
                    return false;
                }

                return value.TryParse(out bins[c][b]);
            case 'm':
                if (!int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out c) || c >= missing.Length)
                {
                    return false;
                }

                return value.TryParse(out missing[c]);
            case 's':
                byte[]? bytes = value;
                if (!int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out c) || c >= samples.Length
                    || bytes is null || bytes.Length % sizeof(float) != 0)
                {
                    return false;
                }

                var floats = new float[bytes.Length / sizeof(float)];
                for (int i = 0; i < floats.Length; i++)
                {
                    floats[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
                }

                samples[c] = floats;
                return true;
            default:
                return false;
        }
    }
}
