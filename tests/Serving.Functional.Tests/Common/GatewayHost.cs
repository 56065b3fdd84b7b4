using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Batching;
using Serving.Gateway.Hosting;
using Serving.Gateway.Inference;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Common;

/// <summary>
/// The real gateway (AddServing/UseServing, as Program.cs wires it) on a loopback port chosen by the OS,
/// with an HttpClient pointed at it. Start-up returns once the first repository load has finished.
/// </summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(2);

    private readonly WebApplication _app;

    private readonly string? _stateDirectory;

    private GatewayHost(WebApplication app, Uri address, Uri? grpcAddress, string? stateDirectory)
    {
        _app = app;
        _stateDirectory = stateDirectory;
        Address = address;
        GrpcAddress = grpcAddress;
        Client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromMinutes(2),
        };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>The gRPC endpoint (HTTP/2 cleartext), when the host was started with one.</summary>
    public Uri? GrpcAddress { get; }

    public ModelHost Models => _app.Services.GetRequiredService<ModelHost>();

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a gateway over <paramref name="repository"/>. <paramref name="settings"/> are extra
    /// command-line arguments (<c>--Serving:...=...</c>); <paramref name="beforeStart"/> runs before
    /// any model loads (to set test hooks). <paramref name="grpc"/> adds the gRPC endpoint on a free
    /// loopback port.
    /// </summary>
    public static async Task<GatewayHost> StartAsync(
        string repository, IEnumerable<string>? settings = null, Action<ModelHost>? beforeStart = null, string? stateDirectory = null, bool grpc = false)
    {
        var grpcAddress = grpc ? new Uri($"http://127.0.0.1:{FreePort()}") : null;
        // Each host gets a registry of its own, seeded from its repository, unless it is given one to
        // share with (or take over from) another host; a given directory is left for its owner to delete.
        var ownsState = stateDirectory is null;
        stateDirectory ??= Directory.CreateTempSubdirectory("serving-state-").FullName;
        string[] args =
        [
            $"--Serving:StateDirectory={stateDirectory}",
            "--urls", "http://127.0.0.1:0",
            $"--Serving:ModelRepository={repository}",
            "--Serving:OnnxRuntime:ExecutionProvider=cpu",
            // Disposing a test host is not a Kubernetes stop: no readiness grace period.
            "--Serving:Shutdown:DrainDelay=00:00:00",
            "--Serving:Admin:AllowUnauthenticatedLoopback=true",
            // No gRPC endpoint unless a test asks for one (GrpcPort): port 8001 is one per machine.
            $"--Serving:Grpc:Url={grpcAddress?.GetLeftPart(UriPartial.Authority)}",
            .. settings ?? [],
        ];
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = RepositoryPaths.Root });
        builder.Logging.ClearProviders();
        builder.AddServing();
        var app = builder.Build();
        app.UseServing();
        beforeStart?.Invoke(app.Services.GetRequiredService<ModelHost>());
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        // The REST address of --urls: not the gRPC one, nor an https one a test added (Serving:Tls:Url).
        var address = addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal) && (grpcAddress is null || new Uri(a).Port != grpcAddress.Port));
        var host = new GatewayHost(app, new Uri(address), grpcAddress, ownsState ? stateDirectory : null);
        try
        {
            await host.WaitForInitialLoadAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>A loopback port no one listens on now (the gRPC endpoint needs a fixed one).</summary>
    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The batcher of a loaded version.</summary>
    public DynamicBatcher Batcher(string model, int version)
    {
        Assert.True(Models.Catalog.TryGetModel(model, out var entry), $"Model {model} is not in the catalog.");
        return entry.Find(version)?.Batcher ?? throw new InvalidOperationException($"{model} version {version} has no batcher.");
    }

    private async Task WaitForInitialLoadAsync()
    {
        var deadline = DateTime.UtcNow + LoadTimeout;
        while (!Models.InitialLoadComplete)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The gateway did not finish loading its repository within {LoadTimeout}.");
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            if (_stateDirectory is not null)
            {
                Directory.Delete(_stateDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
