using System.Text.Json;
using Serving.Core.Outcomes;
using Serving.Core.Tests.Drift;

namespace Serving.Core.Tests.Outcomes;

/// <summary>Loads the numpy/scipy fixtures written by Outcomes/Fixtures/make_fixtures.py.</summary>
internal static class OutcomeFixtures
{
    public const double Tolerance = 1e-9;

    public static JsonElement Load(string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Outcomes", "Fixtures", file);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static TheoryData<string> CaseNames(string file, string section)
    {
        var data = new TheoryData<string>();
        foreach (JsonElement c in Load(file).GetProperty(section).EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    public static JsonElement Case(string file, string section, string name)
    {
        foreach (JsonElement c in Load(file).GetProperty(section).EnumerateArray())
        {
            if (c.GetProperty("name").GetString() == name)
            {
                return c;
            }
        }

        throw new InvalidOperationException($"No case {name} in {file}.");
    }

    public static double[] Doubles(JsonElement c, string property) => DriftFixtures.Doubles(c.GetProperty(property));

    public static int[] Labels(JsonElement c)
    {
        double[] values = Doubles(c, "labels");
        var labels = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            labels[i] = (int)values[i];
        }

        return labels;
    }

    /// <summary>Asserts value, standard error and both bounds against a fixture interval to <see cref="Tolerance"/>.</summary>
    public static void AssertInterval(JsonElement expected, IntervalEstimate actual)
    {
        Assert.Equal(expected.GetProperty("value").GetDouble(), actual.Value, Tolerance);
        Assert.Equal(expected.GetProperty("se").GetDouble(), actual.StandardError, Tolerance);
        Assert.Equal(expected.GetProperty("lower").GetDouble(), actual.Lower, Tolerance);
        Assert.Equal(expected.GetProperty("upper").GetDouble(), actual.Upper, Tolerance);
    }
}
