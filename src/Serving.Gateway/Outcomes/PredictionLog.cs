using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Core.Protocol;
using Serving.Core.Rollouts;
using Serving.Gateway.Batching;
using Serving.Gateway.Inference;
using Serving.Gateway.Metrics;

namespace Serving.Gateway.Outcomes;

/// <summary>
/// The request-path side of the prediction log: takes the score of an answered request and queues it for
/// <see cref="PredictionLogWriter"/> without waiting; when the queue is full the prediction is dropped and counted
/// (<c>serving_prediction_log_dropped_total</c>). Registered only when some model has outcomes enabled.
/// </summary>
internal sealed class PredictionLog
{
    public static readonly Counter Dropped = Prometheus.Metrics.CreateCounter(
        "serving_prediction_log_dropped_total", "Predictions not logged for feedback: the writer's queue was full.",
        new CounterConfiguration { ExemplarBehavior = ServingMetrics.NoExemplars });

    private readonly Channel<PendingPrediction> _queue;
    private readonly OutcomeOptions _options;
    private readonly TimeProvider _time;

    public PredictionLog(IOptions<OutcomeOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _queue = Channel.CreateBounded<PendingPrediction>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>What the writer drains.</summary>
    public ChannelReader<PendingPrediction> Pending => _queue.Reader;

    /// <summary>Queues the prediction of an answered request when its model's outcomes are enabled; never waits.</summary>
    public void Record(LoadedVersion version, RouteVariant variant, InferenceWorkItem item)
    {
        if (item.RequestId is not { } id || _options.For(version.Model) is not { } settings)
        {
            return;
        }
        var output = ScoreOutput(version, settings);
        if (output < 0)
        {
            return;
        }
        var tensor = item.Result.Outputs[output];
        var rows = Math.Max(1, item.Rows);
        var elements = tensor.DataType == TensorDataType.Fp64 ? tensor.Bytes.Length / sizeof(double) : tensor.Bytes.Length / sizeof(float);
        var perRow = elements / rows;
        if (perRow == 0)
        {
            return;
        }
        var index = settings.ScoreIndex < 0 || settings.ScoreIndex >= perRow ? perRow - 1 : settings.ScoreIndex;
        double[]? rowScores = null;
        double score;
        if (rows == 1)
        {
            score = Score(tensor, index);
        }
        else
        {
            rowScores = ArrayPool<double>.Shared.Rent(rows);
            for (var r = 0; r < rows; r++)
            {
                rowScores[r] = Score(tensor, r * perRow + index);
            }
            score = rowScores[0];
        }
        var pending = new PendingPrediction(version.Model, version.VersionText, VariantNames.Of(variant), id, score, rowScores, rows,
            _time.GetUtcNow().ToUnixTimeMilliseconds());
        if (!_queue.Writer.TryWrite(pending))
        {
            Dropped.Inc();
            if (rowScores is not null)
            {
                ArrayPool<double>.Shared.Return(rowScores);
            }
        }
    }

    /// <summary>The index of the output holding <paramref name="version"/>'s score, or -1 when it has none of a numeric type the log reads.</summary>
    private static int ScoreOutput(LoadedVersion version, OutcomeModelOptions settings)
    {
        var signature = version.Signature!;
        var name = settings.ScoreOutput ?? version.Descriptor.Metadata.PredictionOutput ?? signature.Outputs[0].Name;
        for (var o = 0; o < signature.Outputs.Count; o++)
        {
            var spec = signature.Outputs[o];
            if (spec.Name == name)
            {
                return spec.DataType is TensorDataType.Fp32 or TensorDataType.Fp64 ? o : -1;
            }
        }
        return -1;
    }

    private static double Score(OutputTensor tensor, int element) => tensor.DataType == TensorDataType.Fp64
        ? MemoryMarshal.Cast<byte, double>(tensor.Bytes)[element]
        : MemoryMarshal.Cast<byte, float>(tensor.Bytes)[element];
}
