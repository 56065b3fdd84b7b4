using System.Collections.Immutable;
using System.Globalization;
using Serving.Core.Repository;
using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>The alias rules: pointing a name such as <c>champion</c> at a version, and removing it.</summary>
internal static partial class RegistryRules
{
    /// <summary>
    /// Points <paramref name="alias"/> at <paramref name="version"/>. Setting an alias to the version it
    /// already points at changes nothing (empty audit, same revision).
    /// </summary>
    public static StoreResult<StateChange> SetAlias(
        ModelState? current, string model, string alias, int version, ChangeContext context, DateTimeOffset now)
    {
        if (!ModelNames.IsValidAlias(alias))
        {
            return Error(StoreErrorCode.InvalidArgument,
                $"invalid alias '{alias}': a letter, then up to 63 letters, digits, '-', '_' or '.'");
        }

        if (Find(current, model, version, out var state, out _) is { } missing)
        {
            return missing;
        }

        var had = state.Aliases.TryGetValue(alias, out var before);
        if (had && before == version)
        {
            return new StateChange(state, []);
        }

        var next = Next(state) with { Aliases = state.Aliases.SetItem(alias, version) };
        var entry = Entry(next, now, context.AuditActor, AuditAction.AliasSet, version) with
        {
            Alias = alias,
            Before = had ? before.ToString(CultureInfo.InvariantCulture) : null,
            After = version.ToString(CultureInfo.InvariantCulture),
            Reason = context.AuditReason,
        };
        return new StateChange(next, [entry]);
    }

    /// <summary>Removes an alias.</summary>
    public static StoreResult<StateChange> RemoveAlias(
        ModelState? current, string model, string alias, ChangeContext context, DateTimeOffset now)
    {
        if (ValidateModel(model) is { } modelError)
        {
            return modelError;
        }

        if (current is null)
        {
            return Error(StoreErrorCode.NotFound, $"model '{model}' not found");
        }

        if (!current.Aliases.TryGetValue(alias, out var before))
        {
            return Error(StoreErrorCode.NotFound, $"model '{model}' has no alias '{alias}'");
        }

        var next = Next(current) with { Aliases = current.Aliases.Remove(alias) };
        var entry = Entry(next, now, context.AuditActor, AuditAction.AliasRemove, before) with
        {
            Alias = alias,
            Before = before.ToString(CultureInfo.InvariantCulture),
            Reason = context.AuditReason,
        };
        return new StateChange(next, [entry]);
    }
}
