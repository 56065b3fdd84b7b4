namespace Serving.Core.Protocol;

/// <summary>
/// The outputs of one request, indexed like the model's outputs. Pooled with the request; <see cref="Release"/>
/// returns every output buffer to the array pool.
/// </summary>
public sealed class InferenceResult
{
    private OutputTensor[] _outputs = [];
    private int _count;

    /// <summary>Outputs indexed like <see cref="ModelSignature.Outputs"/>.</summary>
    public ReadOnlySpan<OutputTensor> Outputs => _outputs.AsSpan(0, _count);

    /// <summary>Prepares for a model with <paramref name="outputCount"/> outputs.</summary>
    public void Bind(int outputCount)
    {
        if (_outputs.Length < outputCount)
        {
            var grown = new OutputTensor[outputCount];
            _outputs.CopyTo(grown, 0);
            for (var i = _outputs.Length; i < outputCount; i++)
            {
                grown[i] = new OutputTensor();
            }
            _outputs = grown;
        }
        _count = outputCount;
    }

    /// <summary>Output <paramref name="index"/>.</summary>
    public OutputTensor Output(int index) => _outputs[index];

    /// <summary>Returns every output buffer to the pool.</summary>
    public void Release()
    {
        foreach (var output in _outputs)
        {
            output.Release();
        }
        _count = 0;
    }
}
