using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Admin;
using Serving.Gateway.Registry;

namespace Serving.Functional.Tests.Admin;

/// <summary>
/// A real Kestrel server on a loopback port with just the registry services and the admin models
/// routes, over a temporary model repository and state directory.
/// </summary>
public sealed class AdminTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminTestServer(WebApplication app, string root, Uri address)
    {
        _app = app;
        Root = root;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
    }

    public string Root { get; }

    public string Repository => Path.Combine(Root, "models");

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server; <paramref name="prepareRepository"/> fills the model repository before seeding.</summary>
    public static async Task<AdminTestServer> StartAsync(
        string? adminToken = null, Action<string>? prepareRepository = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var root = Directory.CreateTempSubdirectory("serving-admin-").FullName;
        var repository = Path.Combine(root, "models");
        Directory.CreateDirectory(repository);
        prepareRepository?.Invoke(repository);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serving:ModelRepository"] = repository,
            ["Serving:StateDirectory"] = Path.Combine(root, "state"),
            ["Serving:AdminToken"] = adminToken,
            ["Serving:Admin:AllowUnauthenticatedLoopback"] = "true",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.Services.AddServingRegistry(builder.Configuration);
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapAdminModels();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AdminTestServer(app, root, new Uri(address));
    }

    public static void WriteVersion(string repository, string model, int version, string bytes, string? metadata = null)
    {
        var directory = Path.Combine(repository, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "model.onnx"), bytes);
        if (metadata is not null)
        {
            File.WriteAllText(Path.Combine(directory, "metadata.json"), metadata);
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
