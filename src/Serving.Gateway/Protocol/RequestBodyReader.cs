using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Serving.Gateway.Protocol;

/// <summary>
/// Buffers an inference request's body within the request buffer budget and the minimum body rate.
/// A declared length is reserved before the first byte is read; a chunked body is reserved as it
/// arrives. The caller parses the buffered body, advances the reader past it and then calls
/// <see cref="Release"/> with the reserved byte count.
/// </summary>
internal sealed class RequestBodyReader
{
    private readonly RequestBufferBudget _budget;
    private readonly TimeProvider _time;
    private readonly long _maxBody;
    private readonly long _minRate;
    private readonly TimeSpan _grace;

    public RequestBodyReader(RequestBufferBudget budget, TimeProvider time, IOptions<ProtocolOptions> options)
    {
        _budget = budget;
        _time = time;
        var serving = options.Value;
        _maxBody = serving.MaxRequestBodyBytes;
        _minRate = serving.Limits.MinBodyBytesPerSecond;
        _grace = serving.Limits.BodyGracePeriod;
        DrainBytes = serving.Limits.DrainBytes;
    }

    /// <summary>Unread bodies larger than this are not drained after a refusal: the connection closes.</summary>
    public long DrainBytes { get; }

    /// <summary>The outcome of one read: on <see cref="BodyReadStatus.Complete"/>, the buffered body and the bytes reserved for it.</summary>
    public readonly record struct Result(BodyReadStatus Status, ReadResult Read, long Reserved, string? Error);

    /// <summary>
    /// Reserves <paramref name="request"/>'s declared length (nothing for a chunked body) before anything
    /// is read, or waits; false (reserving nothing) when it does not fit, with the message to send.
    /// </summary>
    public bool TryReserveDeclared(HttpRequest request, out long reserved, out string? error)
    {
        reserved = request.ContentLength ?? 0;
        if (_budget.TryReserve(reserved))
        {
            error = null;
            return true;
        }
        error = OverBudgetMessage(reserved);
        reserved = 0;
        return false;
    }

    /// <summary>
    /// Reads the whole body of <paramref name="request"/>, whose declared length <see cref="TryReserveDeclared"/>
    /// reserved as <paramref name="reserved"/>; every status but Complete has given the reservation back.
    /// </summary>
    public async ValueTask<Result> ReadAsync(HttpRequest request, long reserved, CancellationToken aborted)
    {
        var declared = request.ContentLength;
        var reader = request.BodyReader;
        CancellationTokenSource? deadline = null;
        var complete = false;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(deadline?.Token ?? CancellationToken.None);
                var length = read.Buffer.Length;
                if (length > _maxBody)
                {
                    reader.AdvanceTo(read.Buffer.End);
                    return new Result(BodyReadStatus.TooLarge, default, 0, $"The request body exceeds the limit of {_maxBody} bytes.");
                }
                if (length > reserved)
                {
                    // A chunked body (or one longer than declared, which Kestrel refuses next): hold what arrived.
                    if (!_budget.TryReserve(length - reserved))
                    {
                        reader.AdvanceTo(read.Buffer.End);
                        return new Result(BodyReadStatus.OverBudget, default, 0, OverBudgetMessage(length));
                    }
                    reserved = length;
                }
                if (read.IsCompleted || (declared is { } total && length >= total))
                {
                    complete = true;
                    return new Result(BodyReadStatus.Complete, read, reserved, null);
                }
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                // Most bodies arrive in the first read; only the others pay for a deadline.
                deadline ??= new CancellationTokenSource(_grace + TimeSpan.FromSeconds((double)(declared ?? _maxBody) / _minRate), _time);
            }
        }
        catch (OperationCanceledException) when (deadline is { IsCancellationRequested: true } && !aborted.IsCancellationRequested)
        {
            return new Result(BodyReadStatus.TooSlow, default, 0,
                $"The request body did not arrive in time: a body must arrive at {_minRate} bytes a second or faster, after a grace of {_grace.TotalSeconds:0.#} s.");
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals (a body over the limit, a too slow start, bad chunk framing): its
            // messages name the HTTP problem and nothing of the server.
            return new Result(ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? BodyReadStatus.TooLarge : BodyReadStatus.BadFraming, default, 0, ex.Message);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConnectionResetException || aborted.IsCancellationRequested)
        {
            return new Result(BodyReadStatus.Cancelled, default, 0, null);
        }
        catch (IOException)
        {
            // Kestrel reports a chunk size that overflows as an IOException rather than a bad request.
            return new Result(BodyReadStatus.BadFraming, default, 0, "The request body's chunked framing is invalid (a chunk size that is not a hexadecimal number that fits).");
        }
        finally
        {
            deadline?.Dispose();
            if (!complete)
            {
                _budget.Release(reserved);
            }
        }
    }

    /// <summary>Gives back the bytes a complete read reserved, once the body has been parsed and the reader advanced past it.</summary>
    public void Release(long reserved) => _budget.Release(reserved);

    private string OverBudgetMessage(long bytes) =>
        $"The server is holding as many request bodies as its memory budget allows ({_budget.Capacity} bytes); a body of {bytes} bytes does not fit now. Retry later.";
}
