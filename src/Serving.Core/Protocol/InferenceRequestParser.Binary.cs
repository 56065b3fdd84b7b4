using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Serving.Core.Protocol;

// The binary parts of a request (tensors after the JSON header, or a raw body) and the final check against the signature.
public static partial class InferenceRequestParser
{
    private static string? CopyBinaryInputs(in ReadOnlySequence<byte> binary, InferenceRequest request, ModelSignature signature, ReadOnlySpan<int> order)
    {
        long offset = 0;
        foreach (var index in order)
        {
            var input = request.Input(index);
            var spec = signature.Inputs[index];
            var size = input.BinaryDataSize;
            var elements = input.Shape.ElementCount();
            var expected = elements < 0 ? -1 : elements * TensorDataTypes.ElementSize(spec.DataType);
            if (size != expected)
            {
                return $"Input '{spec.Name}' has binary_data_size {size} but shape {input.Shape} of {TensorDataTypes.Name(spec.DataType)} needs {expected} bytes.";
            }
            if (offset + size > binary.Length)
            {
                return $"The binary data of input '{spec.Name}' ({size} bytes at offset {offset}) runs past the end of the body ({binary.Length} bytes after the JSON header).";
            }
            if (size > int.MaxValue)
            {
                return $"Input '{spec.Name}' is too large.";
            }
            var data = input.Data.Resize((int)size);
            binary.Slice(offset, size).CopyTo(data);
            if (NonFiniteError(spec, data) is { } nonFinite)
            {
                return nonFinite;
            }
            offset += size;
        }
        if (offset != binary.Length)
        {
            return $"The body has {binary.Length - offset} bytes after the JSON header that no input's binary_data_size accounts for.";
        }
        return null;
    }

    private static string? ParseRaw(in ReadOnlySequence<byte> body, InferenceRequest request, ModelSignature signature)
    {
        if (signature.Inputs.Count != 1)
        {
            return $"A raw binary request (Inference-Header-Content-Length: 0) needs a model with exactly one input; this model has {signature.Inputs.Count}.";
        }
        var spec = signature.Inputs[0];
        var rowElements = spec.RowElementCount();
        if (spec.Shape.Count == 0 || rowElements < 0)
        {
            return $"A raw binary request needs input '{spec.Name}' to have no dynamic dimension other than the first.";
        }
        var rowBytes = rowElements * TensorDataTypes.ElementSize(spec.DataType);
        if (rowBytes == 0 || body.Length % rowBytes != 0 || body.Length == 0)
        {
            return $"A raw binary body of {body.Length} bytes is not a whole number of rows of input '{spec.Name}' ({rowBytes} bytes each).";
        }
        if (body.Length > int.MaxValue)
        {
            return $"Input '{spec.Name}' is too large.";
        }
        var input = request.Input(0);
        input.Shape = TensorShape.From([body.Length / rowBytes]);
        for (var i = 1; i < spec.Shape.Count; i++)
        {
            input.Shape.TryAdd(spec.Shape[i]);
        }
        input.Present = true;
        input.DeclaredType = spec.DataType;
        input.BinaryDataSize = body.Length;
        var data = input.Data.Resize((int)body.Length);
        body.CopyTo(data);
        return NonFiniteError(spec, data) ?? Validate(request, signature);
    }

    /// <summary>Checks a filled request against its signature (every input present, shapes, batch agreement) and sets its batch size.</summary>
    internal static string? Validate(InferenceRequest request, ModelSignature signature)
    {
        long batch = -1;
        for (var i = 0; i < signature.Inputs.Count; i++)
        {
            var spec = signature.Inputs[i];
            var input = request.Input(i);
            if (!input.Present)
            {
                return $"Missing input '{spec.Name}'; the model's inputs are: {Names(signature.Inputs)}.";
            }
            if (input.Shape.Rank != spec.Shape.Count)
            {
                return $"Input '{spec.Name}' has shape {input.Shape} but the model expects {FormatSpecShape(spec)}.";
            }
            for (var d = 0; d < spec.Shape.Count; d++)
            {
                var expected = spec.Shape[d];
                if (expected >= 0 && input.Shape[d] != expected)
                {
                    if (d == 0 && !signature.IsBatchable)
                    {
                        return $"Input '{spec.Name}' has batch size {input.Shape[0]} but the model has a fixed batch size of {expected}.";
                    }
                    return $"Input '{spec.Name}' has shape {input.Shape} but the model expects {FormatSpecShape(spec)}.";
                }
            }
            var elements = input.Shape.ElementCount();
            if (elements < 0 || elements * TensorDataTypes.ElementSize(spec.DataType) > int.MaxValue)
            {
                return $"Input '{spec.Name}' with shape {input.Shape} is too large.";
            }
            if (input.BinaryDataSize < 0 && input.ElementsParsed != elements)
            {
                return $"Input '{spec.Name}' has {input.ElementsParsed} values but shape {input.Shape} needs {elements}.";
            }
            var rows = spec.Shape.Count == 0 ? 1 : input.Shape[0];
            if (batch >= 0 && signature.IsBatchable && rows != batch)
            {
                return $"Inputs disagree on the batch dimension ({batch} and {rows}).";
            }
            batch = rows;
        }
        request.BatchSize = (int)Math.Max(batch, 0);
        return null;
    }

    private static string FormatSpecShape(TensorSpec spec)
    {
        var parts = new string[spec.Shape.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = spec.Shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return "[" + string.Join(", ", parts) + "]";
    }
}
