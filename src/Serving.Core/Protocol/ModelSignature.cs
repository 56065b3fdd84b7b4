namespace Serving.Core.Protocol;

/// <summary>The inputs and outputs of one model version, and whether it takes a dynamic batch dimension.</summary>
public sealed record ModelSignature
{
    /// <summary>Creates a signature.</summary>
    public ModelSignature(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
        IsBatchable = inputs.Count > 0 && outputs.Count > 0 && AllLeadWithDynamicBatch(inputs) && AllLeadWithDynamicBatch(outputs);
    }

    /// <summary>Model inputs, in model order.</summary>
    public IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>Model outputs, in model order.</summary>
    public IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>
    /// True when every input and output has a dynamic first dimension and no other dynamic one, so that
    /// requests can be concatenated along the first dimension and their rows scattered back.
    /// </summary>
    public bool IsBatchable { get; }

    /// <summary>Index of the input with this UTF-8 name, or -1.</summary>
    public int FindInput(ReadOnlySpan<byte> utf8Name) => Find(Inputs, utf8Name);

    /// <summary>Index of the output with this UTF-8 name, or -1.</summary>
    public int FindOutput(ReadOnlySpan<byte> utf8Name) => Find(Outputs, utf8Name);

    private static int Find(IReadOnlyList<TensorSpec> specs, ReadOnlySpan<byte> utf8Name)
    {
        for (var i = 0; i < specs.Count; i++)
        {
            if (utf8Name.SequenceEqual(specs[i].Utf8Name))
            {
                return i;
            }
        }
        return -1;
    }

    private static bool AllLeadWithDynamicBatch(IReadOnlyList<TensorSpec> specs)
    {
        foreach (var spec in specs)
        {
            if (spec.Shape.Count == 0 || spec.Shape[0] != -1 || spec.RowElementCount() < 0)
            {
                return false;
            }
        }
        return true;
    }
}
