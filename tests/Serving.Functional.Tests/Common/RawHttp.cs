using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Serving.Functional.Tests.Common;

/// <summary>
/// HTTP/1.1 over a bare socket, for requests HttpClient will not send: dot segments, broken chunk
/// framing, bodies that stop short. Reads one response (or notes that the server closed first).
/// </summary>
internal static class RawHttp
{
    /// <summary>A response: <see cref="Status"/> 0 when the server closed the connection without one.</summary>
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>Sends <paramref name="head"/> (request line and headers, ending in a blank line) and then <paramref name="body"/>.</summary>
    public static async Task<Response> SendAsync(Uri address, string head, byte[]? body = null, bool halfClose = false)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head));
            if (body is { Length: > 0 })
            {
                await stream.WriteAsync(body);
            }
            if (halfClose)
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything: read what it said.
        }
        return await ReadResponseAsync(stream);
    }

    /// <summary>A request head with the given method, target and extra header lines.</summary>
    public static string Head(string method, string target, params string[] headers)
    {
        var builder = new StringBuilder().Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\nHost: localhost\r\n");
        foreach (var header in headers)
        {
            builder.Append(header).Append("\r\n");
        }
        return builder.Append("\r\n").ToString();
    }

    public static async Task<Response> ReadResponseAsync(Stream stream)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int headerEnd;
        while ((headerEnd = IndexOfBlankLine(buffer)) < 0)
        {
            var read = await ReadSomeAsync(stream, chunk);
            if (read == 0)
            {
                return new Response(0, new Dictionary<string, string>(), "");
            }
            buffer.Write(chunk, 0, read);
        }
        var all = buffer.ToArray();
        var lines = Encoding.Latin1.GetString(all, 0, headerEnd).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
        var body = new MemoryStream();
        body.Write(all, headerEnd + 4, all.Length - headerEnd - 4);
        while (body.Length < length)
        {
            var read = await ReadSomeAsync(stream, chunk);
            if (read == 0)
            {
                break;
            }
            body.Write(chunk, 0, read);
        }
        return new Response(status, headers, Encoding.UTF8.GetString(body.ToArray(), 0, (int)Math.Min(body.Length, length)));
    }

    private static async Task<int> ReadSomeAsync(Stream stream, byte[] chunk)
    {
        try
        {
            return await stream.ReadAsync(chunk).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static int IndexOfBlankLine(MemoryStream buffer)
    {
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        return bytes.IndexOf("\r\n\r\n"u8);
    }
}
