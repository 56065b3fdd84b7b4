using System.Collections.Frozen;

namespace Serving.Gateway.Inference;

/// <summary>
/// An immutable snapshot of the models this process knows. A change builds a new catalog and swaps
/// it in atomically; requests read whichever snapshot was current when they arrived.
/// </summary>
internal sealed class ModelCatalog
{
    private readonly FrozenDictionary<string, ServedModel> _models;
    private readonly FrozenDictionary<string, ServedModel>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    /// <param name="versions">The versions.</param>
    /// <param name="defaults">Each model's version that answers its default traffic.</param>
    /// <param name="production">Each model's Production version as the registry names it (it differs from
    /// <paramref name="defaults"/> while a previous version stands in for one that failed to load).</param>
    public ModelCatalog(IEnumerable<LoadedVersion> versions, IReadOnlyDictionary<string, int>? defaults = null, IReadOnlyDictionary<string, int>? production = null)
    {
        var grouped = new Dictionary<string, List<LoadedVersion>>(StringComparer.Ordinal);
        foreach (var v in versions)
        {
            if (!grouped.TryGetValue(v.Model, out var list))
            {
                grouped[v.Model] = list = [];
            }
            list.Add(v);
        }
        var servedModels = new Dictionary<string, ServedModel>(StringComparer.Ordinal);
        foreach (var (name, list) in grouped)
        {
            list.Sort(static (a, b) => b.Version.CompareTo(a.Version));
            int? preferred = defaults is not null && defaults.TryGetValue(name, out var p) ? p : null;
            int? registered = production is not null && production.TryGetValue(name, out var r) ? r : preferred;
            servedModels[name] = new ServedModel(name, [.. list], preferred, registered);
        }
        _models = servedModels.ToFrozenDictionary(StringComparer.Ordinal);
        _bySpan = _models.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static ModelCatalog Empty { get; } = new([]);

    public IEnumerable<ServedModel> Models => _models.Values;

    public bool TryGetModel(ReadOnlySpan<char> name, out ServedModel servedModel) => _bySpan.TryGetValue(name, out servedModel!);
}
