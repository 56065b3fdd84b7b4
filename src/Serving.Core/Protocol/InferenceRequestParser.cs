using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Serving.Core.Protocol;

/// <summary>
/// Parses an Open Inference Protocol request body (JSON, JSON plus binary tensors, or raw binary)
/// straight into the pooled tensor buffers of an <see cref="InferenceRequest"/>: no DOM, no boxing,
/// no per-element allocation. Errors are returned as a message for a 400 response; the request's
/// buffers stay owned by the request, which the caller releases on every path.
/// </summary>
public static partial class InferenceRequestParser
{
    private const int MaxDataDepth = 16;

    /// <summary>
    /// Parses <paramref name="body"/> into <paramref name="request"/>, which must be bound to the model's
    /// signature. <paramref name="headerLength"/> is the <c>Inference-Header-Content-Length</c> value:
    /// -1 when absent (the whole body is JSON), 0 for a raw binary body, otherwise the JSON length.
    /// </summary>
    /// <returns>null on success, otherwise the error to send back.</returns>
    public static string? Parse(in ReadOnlySequence<byte> body, long headerLength, InferenceRequest request)
    {
        var signature = request.Signature;
        Debug.Assert(signature is not null, "The request must be bound to a signature before parsing.");
        if (headerLength == 0)
        {
            return ParseRaw(body, request, signature);
        }
        if (headerLength > body.Length)
        {
            return $"Inference-Header-Content-Length ({headerLength}) is larger than the request body ({body.Length} bytes).";
        }
        var json = headerLength < 0 ? body : body.Slice(0, headerLength);
        Span<int> binaryOrder = signature.Inputs.Count <= 64 ? stackalloc int[signature.Inputs.Count] : new int[signature.Inputs.Count];
        int binaryCount;
        string? error;
        try
        {
            error = ParseJson(json, request, signature, binaryOrder, out binaryCount);
        }
        catch (JsonException ex)
        {
            return "Malformed JSON: " + ex.Message;
        }
        catch (InvalidOperationException)
        {
            // Every string value is checked before it is decoded (IsValidText); what remains is the reader
            // unescaping a property name to compare it (ValueTextEquals), which throws this on a lone surrogate.
            return NotText("A property name");
        }
        if (error is not null)
        {
            return error;
        }
        if (binaryCount > 0 && headerLength < 0)
        {
            return "An input has binary_data_size but the request has no Inference-Header-Content-Length header.";
        }
        if (headerLength > 0)
        {
            error = CopyBinaryInputs(body.Slice(headerLength), request, signature, binaryOrder[..binaryCount]);
            if (error is not null)
            {
                return error;
            }
        }
        return Validate(request, signature);
    }

    private static string? ParseJson(in ReadOnlySequence<byte> json, InferenceRequest request, ModelSignature signature, Span<int> binaryOrder, out int binaryCount)
    {
        binaryCount = 0;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return "The request body must be a JSON object.";
        }
        var sawInputs = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("inputs"u8))
            {
                sawInputs = true;
                var error = ParseInputs(ref reader, request, signature, binaryOrder, ref binaryCount);
                if (error is not null)
                {
                    return error;
                }
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return "'id' must be a string.";
                }
                if (!IsValidText(ref reader))
                {
                    return NotText("'id'");
                }
                var max = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
                var written = reader.CopyString(request.ReserveId(max));
                request.TrimId(written);
                request.HasId = true;
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                var error = ParseOutputs(ref reader, request, signature);
                if (error is not null)
                {
                    return error;
                }
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                var error = ParseRequestParameters(ref reader, request);
                if (error is not null)
                {
                    return error;
                }
            }
            else if (!TrySkipUnknown(ref reader))
            {
                return NotText("A property name");
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
        {
            return "Malformed JSON: the request object is not closed.";
        }
        if (reader.Read())
        {
            return "Malformed JSON: unexpected content after the request object.";
        }
        return sawInputs ? null : "The request has no 'inputs'.";
    }

    private static string? ParseRequestParameters(ref Utf8JsonReader reader, InferenceRequest request)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return "'parameters' must be an object.";
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("binary_data_output"u8))
            {
                reader.Read();
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return "'binary_data_output' must be true or false.";
                }
                request.BinaryDataOutput = reader.TokenType == JsonTokenType.True;
            }
            else if (!TrySkipUnknown(ref reader))
            {
                return NotText("A property name");
            }
        }
        return null;
    }

    private static string? ParseInputs(ref Utf8JsonReader reader, InferenceRequest request, ModelSignature signature, Span<int> binaryOrder, ref int binaryCount)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return "'inputs' must be an array.";
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return "Each element of 'inputs' must be an object.";
            }
            var error = ParseInput(ref reader, request, signature, binaryOrder, ref binaryCount);
            if (error is not null)
            {
                return error;
            }
        }
        return null;
    }

    private static string? ParseInput(ref Utf8JsonReader reader, InferenceRequest request, ModelSignature signature, Span<int> binaryOrder, ref int binaryCount)
    {
        var index = -1;
        RequestInput? input = null;
        var shape = default(TensorShape);
        var hasShape = false;
        var declared = TensorDataType.Unknown;
        var hasDatatype = false;
        long binarySize = -1;
        var hasData = false;
        var deferredData = default(Utf8JsonReader);
        var dataDeferred = false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return "Input 'name' must be a string.";
                }
                if (!IsValidText(ref reader))
                {
                    return NotText("Input 'name'");
                }
                index = FindTensor(ref reader, signature.Inputs);
                if (index < 0)
                {
                    return $"Unknown input '{Quoted(ref reader)}'; the model's inputs are: {Names(signature.Inputs)}.";
                }
                input = request.Input(index);
                if (input.Present)
                {
                    return $"Input '{signature.Inputs[index].Name}' appears more than once.";
                }
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                var error = ParseShape(ref reader, ref shape);
                if (error is not null)
                {
                    return error;
                }
                hasShape = true;
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return "Input 'datatype' must be a string.";
                }
                if (!IsValidText(ref reader))
                {
                    return NotText("Input 'datatype'");
                }
                declared = ReadDatatype(ref reader);
                if (declared == TensorDataType.Unknown)
                {
                    return $"Unknown datatype '{Quoted(ref reader)}'; the protocol's datatypes are BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32 and FP64.";
                }
                hasDatatype = true;
            }
            else if (reader.ValueTextEquals("parameters"u8))
            {
                var error = ParseInputParameters(ref reader, ref binarySize);
                if (error is not null)
                {
                    return error;
                }
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                hasData = true;
                if (input is not null && hasDatatype && hasShape)
                {
                    var spec = signature.Inputs[index];
                    if (declared != spec.DataType)
                    {
                        return DatatypeMismatch(spec, declared);
                    }
                    var error = ParseData(ref reader, spec, input, shape.ElementCount());
                    if (error is not null)
                    {
                        return error;
                    }
                }
                else
                {
                    // Keys arrived out of the usual order: remember where the data starts and come back
                    // once the name, datatype and shape are known.
                    deferredData = reader;
                    dataDeferred = true;
                    reader.Skip();
                }
            }
            else if (!TrySkipUnknown(ref reader))
            {
                return NotText("A property name");
            }
        }

        if (input is null)
        {
            return "An input has no 'name'.";
        }
        var inputSpec = signature.Inputs[index];
        if (!hasDatatype)
        {
            return $"Input '{inputSpec.Name}' has no 'datatype'.";
        }
        if (!hasShape)
        {
            return $"Input '{inputSpec.Name}' has no 'shape'.";
        }
        if (declared != inputSpec.DataType)
        {
            return DatatypeMismatch(inputSpec, declared);
        }
        if (hasData && binarySize >= 0)
        {
            return $"Input '{inputSpec.Name}' has both 'data' and 'binary_data_size'.";
        }
        if (!hasData && binarySize < 0)
        {
            return $"Input '{inputSpec.Name}' has no 'data' and no 'binary_data_size'.";
        }
        if (dataDeferred)
        {
            var error = ParseData(ref deferredData, inputSpec, input, shape.ElementCount());
            if (error is not null)
            {
                return error;
            }
        }
        input.Present = true;
        input.DeclaredType = declared;
        input.Shape = shape;
        input.BinaryDataSize = binarySize;
        if (binarySize >= 0)
        {
            binaryOrder[binaryCount++] = index;
        }
        return null;
    }

    private static string? ParseShape(ref Utf8JsonReader reader, ref TensorShape shape)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return "Input 'shape' must be an array of integers.";
        }
        shape.Clear();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim))
            {
                return "Input 'shape' must be an array of integers.";
            }
            if (dim < 0)
            {
                return $"Input 'shape' has a negative dimension ({dim}).";
            }
            if (!shape.TryAdd(dim))
            {
                return $"Input 'shape' has more than {TensorShape.MaxRank} dimensions.";
            }
        }
        return null;
    }

    private static string? ParseInputParameters(ref Utf8JsonReader reader, ref long binarySize)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return "Input 'parameters' must be an object.";
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("binary_data_size"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out binarySize) || binarySize < 0)
                {
                    return "'binary_data_size' must be a non-negative integer.";
                }
            }
            else if (!TrySkipUnknown(ref reader))
            {
                return NotText("A property name");
            }
        }
        return null;
    }

    private static TensorDataType ReadDatatype(ref Utf8JsonReader reader)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            return TensorDataTypes.Parse(reader.ValueSpan);
        }
        // Escaped ("FP\u0033\u0032" is FP32) or split across segments: unescape first. Every datatype
        // name is a few ASCII letters, so anything longer than the buffer is unknown anyway.
        Span<byte> name = stackalloc byte[64];
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        return length > name.Length ? TensorDataType.Unknown : TensorDataTypes.Parse(name[..reader.CopyString(name)]);
    }

    private static int FindTensor(ref Utf8JsonReader reader, IReadOnlyList<TensorSpec> specs)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            var span = reader.ValueSpan;
            for (var i = 0; i < specs.Count; i++)
            {
                if (span.SequenceEqual(specs[i].Utf8Name))
                {
                    return i;
                }
            }
            return -1;
        }
        for (var i = 0; i < specs.Count; i++)
        {
            if (reader.ValueTextEquals(specs[i].Utf8Name))
            {
                return i;
            }
        }
        return -1;
    }

    internal static string Names(IReadOnlyList<TensorSpec> specs)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < specs.Count; i++)
        {
            builder.Append(i == 0 ? "'" : ", '").Append(specs[i].Name).Append('\'');
        }
        return builder.ToString();
    }

    internal static string DatatypeMismatch(TensorSpec spec, TensorDataType declared) =>
        $"Input '{spec.Name}' has datatype {TensorDataTypes.Name(declared)} but the model expects {TensorDataTypes.Name(spec.DataType)}.";
}
