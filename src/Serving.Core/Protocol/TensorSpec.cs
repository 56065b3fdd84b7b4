using System.Text;

namespace Serving.Core.Protocol;

/// <summary>One input or output of a model as its metadata declares it; -1 marks a dynamic dimension.</summary>
public sealed record TensorSpec
{
    /// <summary>Creates a spec.</summary>
    public TensorSpec(string name, TensorDataType dataType, IReadOnlyList<long> shape)
    {
        Name = name;
        Utf8Name = Encoding.UTF8.GetBytes(name);
        DataType = dataType;
        Shape = shape;
    }

    /// <summary>Tensor name.</summary>
    public string Name { get; }

    /// <summary>Tensor name as UTF-8, for allocation-free comparison while parsing.</summary>
    public byte[] Utf8Name { get; }

    /// <summary>Element type.</summary>
    public TensorDataType DataType { get; }

    /// <summary>Dimensions; -1 where dynamic.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Product of every dimension after the first, or -1 if one of them is dynamic.</summary>
    public long RowElementCount()
    {
        long count = 1;
        for (var i = 1; i < Shape.Count; i++)
        {
            if (Shape[i] < 0)
            {
                return -1;
            }
            count *= Shape[i];
        }
        return count;
    }
}
