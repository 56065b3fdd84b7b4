using System.Globalization;

namespace Serving.Core.Repository;

/// <summary>
/// A version's reference sample (<c>reference.csv</c>): rows of feature values and the model's outputs
/// on them, row major, as drift monitoring needs them to build its profile.
/// </summary>
public sealed record ReferenceData(float[] Features, float[] Outputs, int RowCount)
{
    /// <summary>
    /// Reads <paramref name="path"/>, taking the columns named in <paramref name="featureNames"/> and
    /// <paramref name="outputColumns"/> in that order, whatever their order in the file.
    /// </summary>
    /// <returns>The data, or the reason it could not be read.</returns>
    public static (ReferenceData? Data, string? Error) Read(string path, IReadOnlyList<string> featureNames, IReadOnlyList<string> outputColumns)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"{path} could not be read: {ex.Message}");
        }
        if (lines.Length < 2)
        {
            return (null, $"{path} has no data rows.");
        }
        var header = lines[0].Split(',');
        var featureIndex = new int[featureNames.Count];
        var outputIndex = new int[outputColumns.Count];
        for (var i = 0; i < featureIndex.Length; i++)
        {
            featureIndex[i] = Array.IndexOf(header, featureNames[i]);
            if (featureIndex[i] < 0)
            {
                return (null, $"{path} has no column '{featureNames[i]}'.");
            }
        }
        for (var i = 0; i < outputIndex.Length; i++)
        {
            outputIndex[i] = Array.IndexOf(header, outputColumns[i]);
            if (outputIndex[i] < 0)
            {
                return (null, $"{path} has no column '{outputColumns[i]}'.");
            }
        }
        var features = new List<float>(lines.Length * featureIndex.Length);
        var outputs = new List<float>(lines.Length * outputIndex.Length);
        var rows = 0;
        for (var line = 1; line < lines.Length; line++)
        {
            if (lines[line].Length == 0)
            {
                continue;
            }
            var cells = lines[line].Split(',');
            if (cells.Length != header.Length)
            {
                return (null, $"{path} line {line + 1} has {cells.Length} cells; the header has {header.Length}.");
            }
            foreach (var index in featureIndex)
            {
                if (!float.TryParse(cells[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    return (null, $"{path} line {line + 1}: '{cells[index]}' is not a number.");
                }
                features.Add(value);
            }
            foreach (var index in outputIndex)
            {
                if (!float.TryParse(cells[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    return (null, $"{path} line {line + 1}: '{cells[index]}' is not a number.");
                }
                outputs.Add(value);
            }
            rows++;
        }
        return (new ReferenceData([.. features], [.. outputs], rows), null);
    }
}
