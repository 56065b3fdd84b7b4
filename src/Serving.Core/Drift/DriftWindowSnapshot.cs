using System.Collections.Immutable;

namespace Serving.Core.Drift;

/// <summary>
/// A closed live window of one model version: per column bin counts and KS samples. Immutable and
/// mergeable across replicas (<see cref="Merge"/>); this is what the evaluator consumes.
/// </summary>
internal sealed record DriftWindowSnapshot
{
    /// <summary>The model name.</summary>
    public required string Model { get; init; }

    /// <summary>The model version.</summary>
    public required string Version { get; init; }

    /// <summary>When the window opened (earliest over merged replicas).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>When the window closed (latest over merged replicas).</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>Rows recorded into the window.</summary>
    public required long RowCount { get; init; }

    /// <summary>Per column, in <see cref="ReferenceProfile.Columns"/> order.</summary>
    public required ImmutableArray<DriftColumnCounts> Columns { get; init; }

    /// <summary>
    /// Adds another replica's window of the same model version: rows and counts add, KS samples
    /// concatenate (so the merged sample may exceed one replica's cap), the time span is the union.
    /// </summary>
    /// <exception cref="ArgumentException">The other window belongs to another version or has another column layout.</exception>
    public DriftWindowSnapshot Merge(DriftWindowSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!string.Equals(Model, other.Model, StringComparison.Ordinal)
            || !string.Equals(Version, other.Version, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Cannot merge {other.Model}/{other.Version} into {Model}/{Version}.", nameof(other));
        }

        if (other.Columns.Length != Columns.Length)
        {
            throw new ArgumentException("Cannot merge windows with different columns.", nameof(other));
        }

        var columns = ImmutableArray.CreateBuilder<DriftColumnCounts>(Columns.Length);
        for (int i = 0; i < Columns.Length; i++)
        {
            columns.Add(Columns[i].Merge(other.Columns[i]));
        }

        return new DriftWindowSnapshot
        {
            Model = Model,
            Version = Version,
            Start = Start <= other.Start ? Start : other.Start,
            End = End >= other.End ? End : other.End,
            RowCount = RowCount + other.RowCount,
            Columns = columns.MoveToImmutable(),
        };
    }
}
