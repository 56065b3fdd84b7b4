using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Serving.Cli;

/// <summary>A thin client of the gateway's admin API (<c>/admin/models</c>, <c>/admin/rollouts</c>, <c>/admin/drift</c>).</summary>
internal sealed class AdminClient
{
    private readonly HttpClient _http;
    private readonly string _baseUrl;
    private readonly string? _token;

    /// <summary>Creates a client of the gateway at <paramref name="baseUrl"/>.</summary>
    public AdminClient(HttpClient http, string baseUrl, string? token)
    {
        _http = http;
        _baseUrl = baseUrl.TrimEnd('/');
        _token = token;
    }

    /// <summary>The gateway address.</summary>
    public string BaseUrl => _baseUrl;

    /// <summary>Sends a request; <paramref name="path"/> starts with <c>/</c> and is already escaped.</summary>
    public async Task<AdminResponse> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_baseUrl + path, UriKind.Absolute));
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new AdminResponse(response.StatusCode, text);
    }

    /// <summary>Escapes one path segment.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);
}
