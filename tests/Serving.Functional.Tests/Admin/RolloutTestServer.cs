using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Registry;
using Serving.Functional.Tests.Rollouts;
using Serving.Gateway.Admin;
using Serving.Gateway.Rollouts;
using Serving.Testing.Common;
using Serving.Testing.Registry;
using Serving.Testing.Rollouts;

namespace Serving.Functional.Tests.Admin;

/// <summary>
/// A real Kestrel server on a loopback port with just the rollout services (file store in a temporary
/// state directory), a manual clock, a recording action sink, a settable status source, and the
/// <c>/admin/rollouts</c> routes.
/// </summary>
internal sealed class RolloutTestServer : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;

    private RolloutTestServer(WebApplication app, string root, Uri address, ManualTimeProvider time, RecordingRolloutActionSink actions, FakeRolloutStatusSource status)
    {
        _app = app;
        Root = root;
        Address = address;
        Time = time;
        Actions = actions;
        Status = status;
        Client = new HttpClient { BaseAddress = address };
    }

    public string Root { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public ManualTimeProvider Time { get; }

    public RecordingRolloutActionSink Actions { get; }

    public FakeRolloutStatusSource Status { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The registry the server checks policies against; its audit trail holds the rollout changes too.</summary>
    public IRegistryStore Registry => _app.Services.GetRequiredService<IRegistryStore>();

    public static async Task<RolloutTestServer> StartAsync(string? adminToken = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var root = Directory.CreateTempSubdirectory("serving-rollouts-").FullName;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serving:StateDirectory"] = Path.Combine(root, "state"),
            ["Serving:AdminToken"] = adminToken,
            ["Serving:Admin:AllowUnauthenticatedLoopback"] = "true",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        var time = new ManualTimeProvider(T0);
        var actions = new RecordingRolloutActionSink();
        var status = new FakeRolloutStatusSource();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IRolloutActionSink>(actions);
        builder.Services.AddSingleton<IRolloutStatusSource>(status);
        builder.Services.AddServingRollouts(builder.Configuration);
        var registry = new FileRegistryStore(Path.Combine(root, "state"), new RegistryOptions(), time, NullLogger<FileRegistryStore>.Instance);
        builder.Services.AddSingleton<IRegistryStore>(registry);
        var app = builder.Build();
        await RegisterModelsAsync(registry);
        app.Urls.Add("http://127.0.0.1:0");
        app.MapAdminRollouts();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new RolloutTestServer(app, root, new Uri(address), time, actions, status);
    }

    /// <summary>
    /// The registry the policies are checked against: models <c>fraud</c>, <c>zeta</c> and <c>other</c>, each with
    /// versions 2, 3 and 4 in Staging (the seed stages all but the highest), 5 in Production, and 1 archived.
    /// </summary>
    private static async Task RegisterModelsAsync(IRegistryStore registry)
    {
        foreach (var model in (string[])["fraud", "zeta", "other"])
        {
            var seeded = await registry.SeedAsync(model, [RegistryTestData.Version(1), RegistryTestData.Version(2), RegistryTestData.Version(3), RegistryTestData.Version(4), RegistryTestData.Version(5)]);
            Assert.True(seeded.IsSuccess, seeded.Error?.Message);
            var archived = await registry.TransitionAsync(model, 1, new TransitionRequest(ModelStage.Archived, "bob", "retired"));
            Assert.True(archived.IsSuccess, archived.Error?.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
