using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Serving.Core.Protocol;

/// <summary>
/// A tensor shape of up to <see cref="MaxRank"/> dimensions, stored inline so that parsing a request
/// allocates nothing for it. Dimensions of a model signature may be -1 (dynamic); a request's may not.
/// </summary>
public struct TensorShape
{
    /// <summary>The most dimensions a served tensor may have.</summary>
    public const int MaxRank = 8;

    private Dims _dims;

    /// <summary>Number of dimensions.</summary>
    public int Rank { get; private set; }

    /// <summary>Dimension <paramref name="index"/>.</summary>
    public readonly long this[int index] => _dims[index];

    /// <summary>The dimensions as a span over this value's storage.</summary>
    [UnscopedRef]
    public ReadOnlySpan<long> AsSpan() => ((ReadOnlySpan<long>)_dims)[..Rank];

    /// <summary>Appends a dimension; false when the shape already has <see cref="MaxRank"/> dimensions.</summary>
    public bool TryAdd(long dim)
    {
        if (Rank == MaxRank)
        {
            return false;
        }
        _dims[Rank++] = dim;
        return true;
    }

    /// <summary>Sets dimension <paramref name="index"/>.</summary>
    public void Set(int index, long dim) => _dims[index] = dim;

    /// <summary>Forgets every dimension.</summary>
    public void Clear() => Rank = 0;

    /// <summary>Builds a shape from dimensions.</summary>
    public static TensorShape From(ReadOnlySpan<long> dims)
    {
        if (dims.Length > MaxRank)
        {
            throw new ArgumentException($"A tensor may have at most {MaxRank} dimensions.", nameof(dims));
        }
        var shape = default(TensorShape);
        foreach (var d in dims)
        {
            shape.TryAdd(d);
        }
        return shape;
    }

    /// <summary>Product of the dimensions (1 for a scalar); -1 if any dimension is negative or it overflows.</summary>
    public readonly long ElementCount()
    {
        long count = 1;
        for (var i = 0; i < Rank; i++)
        {
            var d = _dims[i];
            if (d < 0)
            {
                return -1;
            }
            if (d != 0 && count > long.MaxValue / d)
            {
                return -1;
            }
            count *= d;
        }
        return count;
    }

    /// <summary>Formats as <c>[1, 12]</c>, for error messages.</summary>
    public override readonly string ToString()
    {
        var parts = new string[Rank];
        for (var i = 0; i < Rank; i++)
        {
            parts[i] = _dims[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return "[" + string.Join(", ", parts) + "]";
    }

    [InlineArray(MaxRank)]
    private struct Dims
    {
        private long _element0;
    }
}
