using System.Text.RegularExpressions;

namespace Serving.Core.Repository;

/// <summary>Rules for model and alias names: they become file names, Redis keys and URL segments.</summary>
internal static partial class ModelNames
{
    // \z, not $: $ also matches before a final newline, so "a\n" would pass and become a file name and a Redis key.

    /// <summary>Whether <paramref name="name"/> is a valid model name: a letter or digit, then up to 127 of letters, digits, '-', '_', '.'.</summary>
    public static bool IsValidModel(string? name) => name is not null && ModelPattern().IsMatch(name);

    /// <summary>Whether <paramref name="alias"/> is a valid alias: a letter, then up to 63 of letters, digits, '-', '_', '.'.</summary>
    public static bool IsValidAlias(string? alias) => alias is not null && AliasPattern().IsMatch(alias);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ModelPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();
}
