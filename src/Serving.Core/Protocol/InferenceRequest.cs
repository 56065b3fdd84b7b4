namespace Serving.Core.Protocol;

/// <summary>
/// A parsed inference request, bound to one model signature. Instances are pooled: the gateway
/// rents one per request, fills it with <see cref="InferenceRequestParser"/>, and returns it with
/// <see cref="Release"/> (which hands every tensor buffer back to the array pool) on every path.
/// </summary>
public sealed class InferenceRequest
{
    private RequestInput[] _inputs = [];
    private bool[] _outputRequested = [];
    private bool[] _outputBinary = [];
    private PooledBuffer _id;

    /// <summary>The signature this request was parsed against.</summary>
    public ModelSignature? Signature { get; private set; }

    /// <summary>Inputs indexed like <see cref="ModelSignature.Inputs"/>.</summary>
    public ReadOnlySpan<RequestInput> Inputs => _inputs.AsSpan(0, Signature?.Inputs.Count ?? 0);

    /// <summary>Whether the request had an <c>id</c>.</summary>
    public bool HasId { get; internal set; }

    /// <summary>The request <c>id</c> (unescaped UTF-8), echoed in the response.</summary>
    public ReadOnlySpan<byte> Id => _id.Span;

    /// <summary>Whether the request listed <c>outputs</c>; if not, every output is returned.</summary>
    public bool OutputsSelected { get; internal set; }

    /// <summary>The request-level <c>binary_data_output</c> parameter.</summary>
    public bool BinaryDataOutput { get; internal set; }

    /// <summary>Number of rows along the first dimension (the batch size for batchable models).</summary>
    public int BatchSize { get; internal set; }

    /// <summary>Whether output <paramref name="index"/> goes into the response.</summary>
    public bool IsOutputRequested(int index) => !OutputsSelected || _outputRequested[index];

    /// <summary>Whether output <paramref name="index"/> is returned in the binary section.</summary>
    public bool IsOutputBinary(int index) => (OutputsSelected && _outputBinary[index]) || BinaryDataOutput;

    /// <summary>Prepares this instance for a request against <paramref name="signature"/>.</summary>
    public void Bind(ModelSignature signature)
    {
        Signature = signature;
        var inputs = signature.Inputs.Count;
        if (_inputs.Length < inputs)
        {
            var grown = new RequestInput[inputs];
            _inputs.CopyTo(grown, 0);
            for (var i = _inputs.Length; i < inputs; i++)
            {
                grown[i] = new RequestInput();
            }
            _inputs = grown;
        }
        for (var i = 0; i < inputs; i++)
        {
            _inputs[i].Reset();
        }
        var outputs = signature.Outputs.Count;
        if (_outputRequested.Length < outputs)
        {
            _outputRequested = new bool[outputs];
            _outputBinary = new bool[outputs];
        }
        else
        {
            Array.Clear(_outputRequested);
            Array.Clear(_outputBinary);
        }
        HasId = false;
        _id.Reset();
        OutputsSelected = false;
        BinaryDataOutput = false;
        BatchSize = 0;
    }

    /// <summary>Returns every pooled buffer and unbinds the signature.</summary>
    public void Release()
    {
        foreach (var input in _inputs)
        {
            input.Release();
        }
        _id.Release();
        Signature = null;
    }

    /// <summary>
    /// Sets input <paramref name="index"/> from bytes already laid out as the model expects (used for
    /// warm-up and by callers that build requests in code rather than parse them).
    /// </summary>
    public void SetInput(int index, in TensorShape shape, ReadOnlySpan<byte> data)
    {
        var input = _inputs[index];
        input.Present = true;
        input.DeclaredType = Signature!.Inputs[index].DataType;
        input.Shape = shape;
        input.BinaryDataSize = data.Length;
        data.CopyTo(input.Data.Resize(data.Length));
        BatchSize = shape.Rank == 0 ? 1 : (int)shape[0];
    }

    /// <summary>
    /// Marks input <paramref name="index"/> present with the declared type and shape and returns room for
    /// its <paramref name="byteLength"/> bytes, for decoders that write tensors element by element (gRPC
    /// typed contents). <see cref="InferenceRequestParser.Validate"/> checks the result.
    /// </summary>
    internal Span<byte> WriteInput(int index, TensorDataType declared, in TensorShape shape, int byteLength)
    {
        var input = _inputs[index];
        input.Present = true;
        input.DeclaredType = declared;
        input.Shape = shape;
        input.BinaryDataSize = byteLength;
        return input.Data.Resize(byteLength);
    }

    internal RequestInput Input(int index) => _inputs[index];

    /// <summary>Room for an id of up to <paramref name="maxLength"/> bytes, replacing any earlier one; <see cref="TrimId"/> sets its length.</summary>
    internal Span<byte> ReserveId(int maxLength) => _id.Resize(maxLength);

    internal void TrimId(int length) => _id.Resize(length);

    internal void SelectOutput(int index, bool binary)
    {
        OutputsSelected = true;
        _outputRequested[index] = true;
        _outputBinary[index] = binary;
    }
}
