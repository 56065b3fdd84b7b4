using System.Collections.Frozen;

namespace Serving.Gateway.Inference;

/// <summary>
/// An immutable snapshot of the models this process knows. A change builds a new catalog and swaps
/// it in atomically; requests read whichever snapshot was current when they arrived.
/// </summary>
internal sealed class ModelCatalog
{
    private readonly FrozenDictionary<string, ModelEntry> _models;
    private readonly FrozenDictionary<string, ModelEntry>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public ModelCatalog(IEnumerable<ModelVersion> versions, IReadOnlyDictionary<string, int>? defaults = null)
    {
        var grouped = new Dictionary<string, List<ModelVersion>>(StringComparer.Ordinal);
        foreach (var v in versions)
        {
            if (!grouped.TryGetValue(v.Model, out var list))
            {
                grouped[v.Model] = list = [];
            }
            list.Add(v);
        }
        var entries = new Dictionary<string, ModelEntry>(StringComparer.Ordinal);
        foreach (var (name, list) in grouped)
        {
            list.Sort(static (a, b) => b.Version.CompareTo(a.Version));
            int? preferred = defaults is not null && defaults.TryGetValue(name, out var p) ? p : null;
            entries[name] = new ModelEntry(name, [.. list], preferred);
        }
        _models = entries.ToFrozenDictionary(StringComparer.Ordinal);
        _bySpan = _models.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static ModelCatalog Empty { get; } = new([]);

    public IEnumerable<ModelEntry> Models => _models.Values;

    public bool TryGetModel(ReadOnlySpan<char> name, out ModelEntry entry) => _bySpan.TryGetValue(name, out entry!);
}
