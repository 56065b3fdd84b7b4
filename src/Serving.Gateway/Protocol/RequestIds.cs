using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;
using Serving.Core.Protocol;

namespace Serving.Gateway.Protocol;

/// <summary>
/// The id every inference response carries (docs/outcomes.md, "Request identity"): the request's own <c>id</c>
/// wins; without one, an incoming <c>x-request-id</c> header; without either, one this process assigns —
/// a random per-process prefix and a counter (<c>3f9a0c1d-42</c>), unique across replicas without coordination.
/// The id is echoed in the body <c>id</c> and the <c>x-request-id</c> header, and keys the prediction log.
/// </summary>
internal static class RequestIds
{
    /// <summary>The header that carries the id, both ways.</summary>
    public const string Header = "x-request-id";

    /// <summary>Longer incoming header values are ignored (an id is assigned instead).</summary>
    public const int MaxHeaderLength = 256;

    private static readonly string Prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + "-";
    private static long s_counter;

    /// <summary>A fresh id of this process: one string, no other allocation.</summary>
    public static string Next()
    {
        var number = Interlocked.Increment(ref s_counter);
        var digits = CountDigits(number);
        return string.Create(Prefix.Length + digits, number, static (span, n) =>
        {
            Prefix.AsSpan().CopyTo(span);
            n.TryFormat(span[Prefix.Length..], out _, default, CultureInfo.InvariantCulture);
        });
    }

    /// <summary>
    /// Gives <paramref name="request"/> its id (the body's, else <paramref name="header"/>'s, else a fresh one),
    /// sets it on the request so the response body echoes it, and returns it for the header and the log.
    /// </summary>
    public static string Resolve(InferenceRequest request, in StringValues header)
    {
        if (request.HasId)
        {
            return Encoding.UTF8.GetString(request.Id);
        }
        var id = Usable(header) ?? Next();
        var bytes = request.ReserveId(Encoding.UTF8.GetByteCount(id));
        Encoding.UTF8.GetBytes(id, bytes);
        request.HasId = true;
        return id;
    }

    /// <summary>The id of a request whose body carried <paramref name="bodyId"/> (gRPC's <c>id</c> field; empty when absent).</summary>
    public static string Resolve(string bodyId, in StringValues header) =>
        bodyId.Length > 0 ? bodyId : Usable(header) ?? Next();

    /// <summary>
    /// Whether <paramref name="id"/> can travel in the <c>x-request-id</c> header: non-empty printable ASCII (a header
    /// value cannot hold control characters, and non-ASCII ones are not portable). Other body ids are echoed in the
    /// body only.
    /// </summary>
    public static bool IsHeaderSafe(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }
        foreach (var c in id)
        {
            if (c < 0x20 || c > 0x7e)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The incoming header's value when it is one non-empty, printable value of sensible length.</summary>
    private static string? Usable(in StringValues header)
    {
        if (header.Count != 1 || header[0] is not { Length: > 0 and <= MaxHeaderLength } value)
        {
            return null;
        }
        foreach (var c in value)
        {
            if (c < 0x21 || c > 0x7e)
            {
                return null;
            }
        }
        return value;
    }

    private static int CountDigits(long n)
    {
        var digits = 1;
        while (n >= 10)
        {
            n /= 10;
            digits++;
        }
        return digits;
    }
}
