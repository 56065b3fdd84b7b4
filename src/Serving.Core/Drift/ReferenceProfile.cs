using System.Collections.Immutable;

namespace Serving.Core.Drift;

/// <summary>
/// The reference data profile of one model version: per feature and per output, PSI bin edges at the
/// reference deciles and a KS sample. Computed once when the version loads and frozen with it.
/// </summary>
internal sealed class ReferenceProfile
{
    private ReferenceProfile(string model, string version, int featureCount, int outputCount, ImmutableArray<ReferenceColumn> columns)
    {
        Model = model;
        Version = version;
        FeatureCount = featureCount;
        OutputCount = outputCount;
        Columns = columns;
    }

    /// <summary>The model name.</summary>
    public string Model { get; }

    /// <summary>The model version this profile is frozen with.</summary>
    public string Version { get; }

    /// <summary>The number of input features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>The number of outputs per row.</summary>
    public int OutputCount { get; }

    /// <summary>All monitored columns: the features in row order, then the outputs.</summary>
    public ImmutableArray<ReferenceColumn> Columns { get; }

    /// <summary>Builds a profile from reference rows.</summary>
    /// <param name="model">The model name.</param>
    /// <param name="version">The model version.</param>
    /// <param name="featureNames">One name per feature, in row order.</param>
    /// <param name="outputNames">One name per output, in row order (may be empty).</param>
    /// <param name="rows">Row-major feature values: <paramref name="rowCount"/> × features. NaN and ±∞ mean missing.</param>
    /// <param name="outputs">Row-major outputs: <paramref name="rowCount"/> × outputs.</param>
    /// <param name="rowCount">The number of reference rows, at least 1.</param>
    /// <param name="options">Binning and sampling; <see cref="ReferenceProfileOptions.Default"/> when null.</param>
    /// <returns>The frozen profile.</returns>
    /// <exception cref="ArgumentException">The shapes do not agree, a name is missing, or the options are out of range.</exception>
    public static ReferenceProfile Build(
        string model,
        string version,
        IReadOnlyList<string> featureNames,
        IReadOnlyList<string> outputNames,
        ReadOnlySpan<float> rows,
        ReadOnlySpan<float> outputs,
        int rowCount,
        ReferenceProfileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(outputNames);
        options ??= ReferenceProfileOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(rowCount, 1);
        if (options.BinCount is < 2 or > 64)
        {
            throw new ArgumentException("BinCount must be between 2 and 64.", nameof(options));
        }

        if (options.SampleCapacity < 1)
        {
            throw new ArgumentException("SampleCapacity must be at least 1.", nameof(options));
        }

        int featureCount = featureNames.Count;
        int outputCount = outputNames.Count;
        if (featureCount + outputCount == 0)
        {
            throw new ArgumentException("A profile needs at least one column.", nameof(featureNames));
        }

        if (rows.Length != (long)rowCount * featureCount)
        {
            throw new ArgumentException($"Expected {rowCount} x {featureCount} feature values, got {rows.Length}.", nameof(rows));
        }

        if (outputs.Length != (long)rowCount * outputCount)
        {
            throw new ArgumentException($"Expected {rowCount} x {outputCount} output values, got {outputs.Length}.", nameof(outputs));
        }

        var columns = ImmutableArray.CreateBuilder<ReferenceColumn>(featureCount + outputCount);
        var buffer = new double[rowCount];
        for (int f = 0; f < featureCount; f++)
        {
            columns.Add(BuildColumn(RequireName(featureNames[f]), DriftColumnKind.Feature, f, rows, f, featureCount, rowCount, options, buffer));
        }

        for (int o = 0; o < outputCount; o++)
        {
            columns.Add(BuildColumn(RequireName(outputNames[o]), DriftColumnKind.Output, featureCount + o, outputs, o, outputCount, rowCount, options, buffer));
        }

        return new ReferenceProfile(model, version, featureCount, outputCount, columns.MoveToImmutable());
    }

    private static string RequireName(string? name) =>
        string.IsNullOrEmpty(name) ? throw new ArgumentException("Every column needs a name.") : name;

    private static ReferenceColumn BuildColumn(
        string name, DriftColumnKind kind, int index, ReadOnlySpan<float> values, int offset, int stride,
        int rowCount, ReferenceProfileOptions options, double[] buffer)
    {
        int valid = 0;
        for (int r = 0; r < rowCount; r++)
        {
            float v = values[(r * stride) + offset];
            if (float.IsFinite(v))
            {
                buffer[valid++] = v;
            }
        }

        long missing = rowCount - valid;
        if (valid == 0)
        {
            return new ReferenceColumn(name, kind, index, [], [0], missing, []);
        }

        // The systematic sample is taken in row order (before sorting), so it does not thin out ties.
        float[] sample = SystematicSample(buffer.AsSpan(0, valid), options.SampleCapacity);
        Array.Sort(sample);

        Span<double> sorted = buffer.AsSpan(0, valid);
        sorted.Sort();
        double[]? categories = null;
        bool declared = options.CategoricalColumns.Contains(name);
        int distinct = CountDistinct(sorted);
        if (declared || distinct <= options.CategoricalMaxDistinct)
        {
            if (distinct > ReferenceProfileOptions.MaxCategories)
            {
                throw new ArgumentException(
                    $"Column '{name}' is declared categorical but has {distinct} distinct reference values (at most {ReferenceProfileOptions.MaxCategories}).");
            }

            categories = Distinct(sorted, distinct);
        }

        double[] edges = categories is null ? BinEdges.FromQuantiles(sorted, options.BinCount) : BinEdges.FromCategories(categories);
        var counts = new long[edges.Length + 1];
        foreach (double v in sorted)
        {
            counts[BinEdges.IndexOf(edges, v)]++;
        }

        return new ReferenceColumn(name, kind, index, edges, counts, missing, sample, categories);
    }

    private static int CountDistinct(ReadOnlySpan<double> sorted)
    {
        int distinct = 1;
        for (int i = 1; i < sorted.Length; i++)
        {
            distinct += sorted[i] != sorted[i - 1] ? 1 : 0;
        }

        return distinct;
    }

    private static double[] Distinct(ReadOnlySpan<double> sorted, int distinct)
    {
        var values = new double[distinct];
        values[0] = sorted[0];
        int n = 1;
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] != sorted[i - 1])
            {
                values[n++] = sorted[i];
            }
        }

        return values;
    }

    private static float[] SystematicSample(ReadOnlySpan<double> values, int capacity)
    {
        int n = Math.Min(values.Length, capacity);
        var sample = new float[n];
        for (int i = 0; i < n; i++)
        {
            sample[i] = (float)values[(int)((long)i * values.Length / n)];
        }

        return sample;
    }
}
