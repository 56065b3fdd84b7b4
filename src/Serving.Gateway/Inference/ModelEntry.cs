namespace Serving.Gateway.Inference;

/// <summary>A model and its versions in one catalog snapshot, highest version first.</summary>
internal sealed class ModelEntry(string name, ModelVersion[] versions)
{
    public string Name { get; } = name;

    /// <summary>Versions, highest number first.</summary>
    public ModelVersion[] Versions { get; } = versions;

    public ModelVersion? Find(int version)
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

    /// <summary>The version that answers requests without a version: the highest ready one.</summary>
    public ModelVersion? DefaultVersion()
    {
        foreach (var v in Versions)
        {
            if (v.State == VersionState.Ready)
            {
                return v;
            }
        }
        return null;
    }
}
