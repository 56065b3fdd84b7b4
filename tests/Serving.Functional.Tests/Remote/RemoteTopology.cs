using System.Globalization;
using System.Net;
using System.Text.Json;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Remote;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Remote;

/// <summary>Starts a gateway (role gateway, in this process, on real Kestrel) in front of worker processes, and reads what it forwarded.</summary>
internal static class RemoteTopology
{
    /// <summary>Settings that make health changes visible within a second rather than the production defaults' tens of seconds.</summary>
    public static readonly string[] FastHealth =
    [
        "--Serving:Forwarding:HealthCheckInterval=00:00:00.200",
        "--Serving:Forwarding:ReactivationPeriod=00:00:02",
    ];

    /// <summary>A gateway forwarding every model to <paramref name="workers"/>; returns once it reports ready.</summary>
    public static async Task<GatewayHost> StartGatewayAsync(IReadOnlyList<WorkerProcess> workers, IEnumerable<string>? settings = null)
    {
        var args = new List<string> { "--Serving:Role=gateway" };
        for (var i = 0; i < workers.Count; i++)
        {
            args.Add($"--Serving:Workers:{i.ToString(CultureInfo.InvariantCulture)}:Address={workers[i].Address}");
        }
        args.AddRange(FastHealth);
        args.AddRange(settings ?? []);
        var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models, args);
        try
        {
            await UntilReadyAsync(gateway);
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
        return gateway;
    }

    public static async Task UntilReadyAsync(GatewayHost gateway)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var response = await gateway.Client.GetAsync("/v2/health/ready");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The gateway did not become ready: " + await response.Content.ReadAsStringAsync());
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Requests for <paramref name="model"/> that <paramref name="destination"/> answered (a process-wide counter).</summary>
    public static double Forwarded(string model, string destination, string outcome = "ok") =>
        ForwardMetrics.Requests.WithLabels(model, destination, outcome).Value;

    /// <summary>The probabilities of a 200 credit-risk response, and the version that says it answered.</summary>
    public static async Task<(int Version, float[] Probabilities)> ReadCreditRiskAsync(HttpResponseMessage response)
    {
        using var json = await Infer.ReadJsonAsync(response);
        var version = int.Parse(response.Headers.GetValues("x-model-version").Single(), CultureInfo.InvariantCulture);
        Assert.Equal(version.ToString(CultureInfo.InvariantCulture), json.RootElement.GetProperty("model_version").GetString());
        var data = json.RootElement.GetProperty("outputs")[0].GetProperty("data");
        var probabilities = new float[data.GetArrayLength()];
        var i = 0;
        foreach (var value in data.EnumerateArray())
        {
            probabilities[i++] = value.ValueKind == JsonValueKind.Array ? value[0].GetSingle() : value.GetSingle();
        }
        return (version, probabilities);
    }
}
