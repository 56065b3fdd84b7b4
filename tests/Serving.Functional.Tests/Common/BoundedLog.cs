using System.Text;

namespace Serving.Functional.Tests.Common;

/// <summary>
/// What a child process wrote, for failure messages; bounded, so that a process that logs a line per
/// request does not grow the test's memory without end. Safe to append from the output event threads.
/// </summary>
internal sealed class BoundedLog
{
    private const int Limit = 64 * 1024;
    private readonly StringBuilder _text = new();

    public void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_text)
        {
            if (_text.Length < Limit)
            {
                _text.AppendLine(line);
            }
        }
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }
}
