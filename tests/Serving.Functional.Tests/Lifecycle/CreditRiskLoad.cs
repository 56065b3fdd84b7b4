using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Lifecycle;

/// <summary>
/// Continuous credit-risk traffic (no version in the path) from several clients while a test changes
/// what serves. Every response is checked: status 200, and the probability equal to the numpy value of
/// the version that the response says answered, so a request served by the wrong session fails too.
/// </summary>
internal sealed class CreditRiskLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _clients;
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<int, int> _byVersion = new();
    private int _ok;

    public CreditRiskLoad(HttpClient client, int clients)
    {
        _clients = new Task[clients];
        for (var c = 0; c < clients; c++)
        {
            var seed = c;
            _clients[c] = Task.Run(() => RunAsync(client, seed));
        }
    }

    public int Ok => Volatile.Read(ref _ok);

    public IReadOnlyCollection<string> Failures => _failures;

    public int ServedBy(int version) => _byVersion.GetValueOrDefault(version);

    /// <summary>Waits until at least <paramref name="count"/> more responses came from <paramref name="version"/>.</summary>
    public Task WaitForAsync(int version, int count)
    {
        var target = ServedBy(version) + count;
        return Polling.UntilAsync(() => ServedBy(version) >= target || !_failures.IsEmpty, $"{count} responses from version {version}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
        _stop.Dispose();
    }

    private async Task RunAsync(HttpClient client, int seed)
    {
        var fixture = ExpectedOutputs.CreditRisk;
        var row = seed;
        while (!_stop.IsCancellationRequested)
        {
            row = (row + 7) % fixture.Rows;
            try
            {
                using var response = await client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([row]));
                var body = await response.Content.ReadAsStringAsync();
                if ((int)response.StatusCode != 200)
                {
                    _failures.Enqueue($"HTTP {(int)response.StatusCode}: {body}");
                    continue;
                }
                var version = int.Parse(response.Headers.GetValues("x-model-version").Single(), CultureInfo.InvariantCulture);
                using var json = JsonDocument.Parse(body);
                var probability = json.RootElement.GetProperty("outputs")[0].GetProperty("data")[0].GetDouble();
                var expected = fixture.Probabilities(version)[row];
                if (Math.Abs(probability - expected) > fixture.AbsTolerance)
                {
                    _failures.Enqueue($"row {row}: version {version} answered {probability}, numpy says {expected}");
                    continue;
                }
                _byVersion.AddOrUpdate(version, 1, static (_, n) => n + 1);
                Interlocked.Increment(ref _ok);
            }
            catch (HttpRequestException ex)
            {
                _failures.Enqueue("connection: " + ex.Message);
            }
            catch (TaskCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }
    }
}
