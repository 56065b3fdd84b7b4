using Serving.Gateway.Remote;
using Serving.Gateway.Storage;

namespace Serving.Gateway.Hosting;

/// <summary>
/// Checks at start-up that a model repository named in the settings (<c>Serving:ModelRepository</c>) exists. A
/// missing one (a volume that was not mounted, a typo in the path) would otherwise leave a process that seeds
/// nothing, loads nothing, answers 404 to every inference request and reports ready. Left unset, the default
/// <c>models</c> may be missing (the registry alone says what to serve); a gateway that only forwards
/// (<c>Serving:Role=gateway</c>) loads nothing and is not checked. The process exits with <see cref="InvalidSettings.ExitCode"/>.
/// </summary>
public static class ModelRepositoryCheck
{
    /// <summary>Null when the named repository exists, or none is named, or nothing is loaded here; else what is wrong.</summary>
    public static string? Problem(IConfiguration configuration)
    {
        var storage = StorageOptions.From(configuration);
        var role = configuration.GetSection(RemoteOptions.Section).Get<RemoteOptions>()?.Role ?? ServingRole.All;
        if (!storage.IsModelRepositoryNamed || role == ServingRole.Gateway)
        {
            return null;
        }
        var directory = Path.GetFullPath(storage.ModelRepository);
        return Directory.Exists(directory)
            ? null
            : $"Serving:ModelRepository '{directory}' does not exist, so no model could be loaded. " +
              "Set Serving:ModelRepository (environment variable Serving__ModelRepository) to the directory that holds " +
              "<model>/<version>/model.onnx, or leave it unset to serve only what the registry names.";
    }
}
