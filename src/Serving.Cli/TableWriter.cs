using System.Text;

namespace Serving.Cli;

/// <summary>Writes left-aligned text tables with two spaces between columns.</summary>
internal static class TableWriter
{
    /// <summary>Writes <paramref name="headers"/> then <paramref name="rows"/>.</summary>
    public static void Write(TextWriter output, string[] headers, IReadOnlyList<string[]> rows)
    {
        var widths = new int[headers.Length];
        for (var c = 0; c < headers.Length; c++)
        {
            widths[c] = headers[c].Length;
            foreach (var row in rows)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        WriteRow(output, headers, widths);
        foreach (var row in rows)
        {
            WriteRow(output, row, widths);
        }
    }

    private static void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var c = 0; c < cells.Length; c++)
        {
            line.Append(c == cells.Length - 1 ? cells[c] : cells[c].PadRight(widths[c] + 2));
        }

        output.WriteLine(line.ToString().TrimEnd());
    }
}
