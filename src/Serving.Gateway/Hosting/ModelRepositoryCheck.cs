using Serving.Gateway.Remote;

namespace Serving.Gateway.Hosting;

/// <summary>
/// Checks at start-up that a model repository named in the settings (<c>Serving:ModelRepository</c>) exists. A
/// missing one (a volume that was not mounted, a typo in the path) would otherwise leave a process that seeds
/// nothing, loads nothing, answers 404 to every inference request and reports ready. Left unset, the default
/// <c>models</c> may be missing (the registry alone says what to serve); a gateway that only forwards
/// (<c>Serving:Role=gateway</c>) loads nothing and is not checked.
/// </summary>
public static class ModelRepositoryCheck
{
    /// <summary>The exit code of a process whose named repository is missing: that of any invalid setting.</summary>
    public const int ExitCode = InvalidSettings.ExitCode;

    /// <summary>Null when the named repository exists, or none is named, or nothing is loaded here; else what is wrong.</summary>
    public static string? Problem(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var named = configuration["Serving:ModelRepository"];
        if (string.IsNullOrWhiteSpace(named)
            || Enum.TryParse<ServingRole>(configuration["Serving:Role"], ignoreCase: true, out var role) && role == ServingRole.Gateway)
        {
            return null;
        }
        var directory = Path.GetFullPath(named);
        return Directory.Exists(directory)
            ? null
            : $"Serving:ModelRepository '{directory}' does not exist, so no model could be loaded. " +
              "Set Serving:ModelRepository (environment variable Serving__ModelRepository) to the directory that holds " +
              "<model>/<version>/model.onnx, or leave it unset to serve only what the registry names.";
    }
}
