using System.Globalization;

namespace Serving.Functional.Tests.Common;

/// <summary>Reads one sample from a gateway's <c>/metrics</c>, as a Prometheus scrape would.</summary>
internal static class Scrape
{
    /// <summary>The value of <paramref name="series"/> (name and labels as written, e.g. <c>x{model="m"}</c>), or null when it is absent.</summary>
    public static async Task<double?> ValueAsync(HttpClient client, string series)
    {
        var prefix = series + " ";
        var line = (await client.GetStringAsync("/metrics")).Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[prefix.Length..].Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
