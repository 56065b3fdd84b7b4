using Serving.Gateway.Inference;
using Serving.Gateway.Rollouts;

namespace Serving.Gateway.Protocol;

/// <summary>
/// Why a model is answered, but not by the versions the control plane named: the readiness detail shows
/// it as the model's <c>degraded</c> reason (docs/rollouts.md, "When a named version cannot answer").
/// </summary>
internal static class ModelDegradation
{
    /// <summary>The reasons, joined by "; ", or null when the model is served as its registry and rollout say.</summary>
    public static string? Describe(ServedModel servedModel, RolloutTable rollouts)
    {
        var reasons = new List<string>();
        var serving = servedModel.DefaultVersion();
        if (servedModel.Production is { } production && serving?.Version != production)
        {
            reasons.Add($"the registry's Production version {production} {StateOf(servedModel.Find(production))}; "
                + (serving is null ? "no version answers by default" : $"version {serving.VersionText} answers by default"));
        }
        if (rollouts.TryGet(servedModel.Name, out var rollout) && rollout.Policy.RoutesRequests())
        {
            var seen = new HashSet<int>();
            foreach (var number in rollout.Policy.NamedVersions())
            {
                var version = servedModel.Find(number);
                if (seen.Add(number) && version is not { State: VersionState.Ready })
                {
                    reasons.Add($"the rollout names version {number}, which {StateOf(version)}; its requests go to another version");
                }
            }
        }
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    private static string StateOf(LoadedVersion? version) => version switch
    {
        null => "is not loaded (it is not in Staging or Production)",
        { State: VersionState.Failed } => "failed to load: " + version.PublicFailureReason,
        _ => "is " + version.State.ToString().ToLowerInvariant(),
    };
}
