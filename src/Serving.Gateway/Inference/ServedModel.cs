namespace Serving.Gateway.Inference;

/// <summary>A model and its versions in one catalog snapshot, highest version first.</summary>
internal sealed class ServedModel(string name, LoadedVersion[] versions, int? preferred, int? production = null)
{
    public string Name { get; } = name;

    /// <summary>
    /// The version that answers by default: the registry's Production version, or the previous one while
    /// that one failed to load or is loading.
    /// </summary>
    public int? Preferred { get; } = preferred;

    /// <summary>The registry's Production version, if any.</summary>
    public int? Production { get; } = production ?? preferred;

    /// <summary>Versions, highest number first.</summary>
    public LoadedVersion[] Versions { get; } = versions;

    public LoadedVersion? Find(int version)
    {
        foreach (var v in Versions)
        {
            if (v.Version == version)
            {
                return v;
            }
        }
        return null;
    }

    /// <summary>
    /// The version that answers requests without a version: the registry's Production version when the
    /// model has one (and only if it is ready: Staging versions never stand in for it), otherwise the
    /// highest ready version.
    /// </summary>
    public LoadedVersion? DefaultVersion()
    {
        if (Preferred is { } preferred)
        {
            var v = Find(preferred);
            return v is { State: VersionState.Ready } ? v : null;
        }
        foreach (var v in Versions)
        {
            if (v.State == VersionState.Ready)
            {
                return v;
            }
        }
        return null;
    }

    /// <summary>
    /// Whether the version that answers by default failed to load: the production version, or, for a
    /// model without one, every version. Waiting cannot help until the registry or the files change.
    /// </summary>
    public bool DefaultFailed()
    {
        if (Preferred is { } preferred)
        {
            return Find(preferred) is { State: VersionState.Failed };
        }
        foreach (var v in Versions)
        {
            if (v.State != VersionState.Failed)
            {
                return false;
            }
        }
        return Versions.Length > 0;
    }

    /// <summary>Why no version answers by default, for the 503 message.</summary>
    public string Unavailable()
    {
        if (Preferred is { } preferred && Find(preferred) is { } v)
        {
            return v.State == VersionState.Failed
                ? $"The production version {preferred} of model '{Name}' failed to load: {v.PublicFailureReason}"
                : $"The production version {preferred} of model '{Name}' is {v.State.ToString().ToLowerInvariant()}.";
        }
        return $"Model '{Name}' has no ready version.";
    }
}
