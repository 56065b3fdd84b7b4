using System.IO.Hashing;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Core.Protocol;
using Serving.Core.Rollouts;
using Serving.Gateway.Batching;
using Serving.Gateway.Inference;

namespace Serving.Gateway.PayloadLog;

/// <summary>
/// The request side of the payload log: decides whether an answered request is sampled and, if so, copies it off
/// the pooled buffers into a <see cref="PayloadRecord"/> queued for the <see cref="PayloadLogWriter"/>. Never
/// blocks: a full queue drops the record and counts it. With <see cref="PayloadLogOptions.SampleRate"/> 0 (the
/// default) it returns at its first comparison.
/// <para>
/// Sampling is a deterministic function of the request id the response carries (the client's, or the one the
/// gateway assigned): logged when XxHash64(id) mod 10⁶ &lt; rate × 10⁶, so every replica (and a retry) decides the
/// same for the same id. A work item that carries no id is numbered by a process-wide counter whose XxHash64 is
/// compared the same way.
/// </para>
/// </summary>
internal sealed class PayloadLogger
{
    private const ulong Buckets = 1_000_000;

    private static readonly Counter Records = Prometheus.Metrics.CreateCounter(
        "serving_payload_log_records_total",
        "Payload log records by outcome: written, dropped (the writer's queue was full), failed (the file could not be written).",
        new CounterConfiguration { LabelNames = ["outcome"] });

    private readonly Channel<PayloadRecord> _queue;
    private readonly ulong _threshold;
    private readonly int _maxRecordBytes;
    private readonly TimeProvider _time;
    private long _sequence;

    public PayloadLogger(IOptions<PayloadLogOptions> options, TimeProvider time)
    {
        var o = options.Value;
        _threshold = (ulong)Math.Round(o.SampleRate * Buckets);
        _maxRecordBytes = o.MaxRecordBytes;
        _time = time;
        _queue = Channel.CreateBounded<PayloadRecord>(new BoundedChannelOptions(o.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Whether anything is logged at all.</summary>
    public bool Enabled => _threshold > 0;

    /// <summary>The queue the writer drains.</summary>
    public ChannelReader<PayloadRecord> Reader => _queue.Reader;

    public static Counter.Child Written { get; } = Records.WithLabels("written");

    public static Counter.Child Dropped { get; } = Records.WithLabels("dropped");

    public static Counter.Child Failed { get; } = Records.WithLabels("failed");

    /// <summary>Offers one answered request; logs it when sampled. Called after the response is on its way.</summary>
    public void Offer(LoadedVersion version, RouteVariant variant, InferenceWorkItem item, double seconds)
    {
        if (_threshold == 0 || !Sampled(item))
        {
            return;
        }

        var request = item.Request;
        var signature = request.Signature;
        long bytes = 0;
        foreach (var input in request.Inputs)
        {
            bytes += input.Bytes.Length;
        }

        foreach (var output in item.Result.Outputs)
        {
            bytes += output.Bytes.Length;
        }

        bool truncated = bytes > _maxRecordBytes;
        var inputs = new PayloadTensor[request.Inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var input = request.Inputs[i];
            var spec = signature!.Inputs[i];
            inputs[i] = new PayloadTensor(spec.Name, spec.DataType, input.Shape.AsSpan().ToArray(), truncated ? null : input.Bytes.ToArray());
        }

        var outputs = new PayloadTensor[item.Result.Outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            var output = item.Result.Outputs[i];
            var name = signature!.Outputs.Count > i ? signature.Outputs[i].Name : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            outputs[i] = new PayloadTensor(name, output.DataType, output.Shape.AsSpan().ToArray(), truncated ? null : output.Bytes.ToArray());
        }

        var record = new PayloadRecord(_time.GetUtcNow(), version.Model, version.VersionText, VariantNames.Of(variant),
            item.RequestId ?? (request.HasId ? Encoding.UTF8.GetString(request.Id) : null), seconds, truncated, inputs, outputs);
        if (!_queue.Writer.TryWrite(record))
        {
            Dropped.Inc();
        }
    }

    /// <summary>Whether the request falls in the sample (see the class remarks).</summary>
    internal bool Sampled(InferenceWorkItem item)
    {
        if (_threshold >= Buckets)
        {
            return true;
        }

        // The id the response carries (the client's or the one the gateway assigned), hashed as UTF-16 code units.
        if (!string.IsNullOrEmpty(item.RequestId))
        {
            return Bucket(System.Runtime.InteropServices.MemoryMarshal.AsBytes(item.RequestId.AsSpan()), 0) < _threshold;
        }

        var request = item.Request;
        bool hasId = request.HasId && !request.Id.IsEmpty;
        return Bucket(hasId ? request.Id : default, hasId ? 0 : Interlocked.Increment(ref _sequence)) < _threshold;
    }

    /// <summary>The request's bucket in [0, 10⁶): of its id, or of its sequence number when it has none.</summary>
    internal static ulong Bucket(ReadOnlySpan<byte> id, long sequence)
    {
        if (!id.IsEmpty)
        {
            return XxHash64.HashToUInt64(id) % Buckets;
        }

        Span<byte> number = stackalloc byte[sizeof(long)];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(number, sequence);
        return XxHash64.HashToUInt64(number) % Buckets;
    }

    /// <summary>Stops accepting records (at shutdown, so the writer can drain and close).</summary>
    public void Complete() => _queue.Writer.TryComplete();
}
