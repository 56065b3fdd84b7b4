using System.Text.Json;

namespace Serving.Core.Tests.Drift;

/// <summary>Loads the scipy/numpy fixtures written by Drift/Fixtures/make_fixtures.py.</summary>
internal static class DriftFixtures
{
    public static JsonElement Load(string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Drift", "Fixtures", file);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static JsonElement Case(string file, string name)
    {
        foreach (JsonElement c in Load(file).GetProperty("cases").EnumerateArray())
        {
            if (c.GetProperty("name").GetString() == name)
            {
                return c;
            }
        }

        throw new InvalidOperationException($"No case {name} in {file}.");
    }

    public static TheoryData<string> CaseNames(string file)
    {
        var data = new TheoryData<string>();
        foreach (JsonElement c in Load(file).GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    /// <summary>Float32 values written as shortest round-trip decimals; null is NaN. Parsed straight to float.</summary>
    public static float[] Floats(JsonElement array)
    {
        var values = new float[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement e in array.EnumerateArray())
        {
            values[i++] = e.ValueKind == JsonValueKind.Null ? float.NaN : e.GetSingle();
        }

        return values;
    }

    public static double[] Doubles(JsonElement array)
    {
        var values = new double[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement e in array.EnumerateArray())
        {
            values[i++] = e.GetDouble();
        }

        return values;
    }

    public static long[] Longs(JsonElement array)
    {
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement e in array.EnumerateArray())
        {
            values[i++] = e.GetInt64();
        }

        return values;
    }

    /// <summary>|actual − expected| ≤ 1e-4·|expected| (exact when expected is 0).</summary>
    public static void AssertRelative(double expected, double actual, double relative = 1e-4, string? what = null)
    {
        double tolerance = relative * Math.Abs(expected);
        Assert.True(
            Math.Abs(actual - expected) <= tolerance,
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):E2}).");
    }

    public static void AssertAbsolute(double expected, double actual, double absolute = 1e-6, string? what = null) =>
        Assert.True(Math.Abs(actual - expected) <= absolute, $"{what}: expected {expected:R}, got {actual:R}.");
}
