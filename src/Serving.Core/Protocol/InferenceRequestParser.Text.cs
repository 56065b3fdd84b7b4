using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Serving.Core.Protocol;

public static partial class InferenceRequestParser
{
    /// <summary>Longest part of a client's string that an error message quotes back.</summary>
    private const int MaxQuotedChars = 64;

    /// <summary>
    /// Whether the current string token is well-formed text: valid UTF-8 with no escaped lone surrogate
    /// (<c>"\ud800"</c>). Utf8JsonReader checks neither while it reads, and its CopyString, GetString and
    /// ValueTextEquals throw <see cref="InvalidOperationException"/> on either, so every string value the
    /// parser decodes or compares passes through here first.
    /// </summary>
    private static bool IsValidText(ref Utf8JsonReader reader)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            return Utf8.IsValid(reader.ValueSpan);
        }
        var length = checked((int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length));
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            return Utf8.IsValid(rented.AsSpan(0, reader.CopyString(rented)));
        }
        catch (InvalidOperationException)
        {
            // The reader has no non-throwing way to unescape: this is how it reports a lone surrogate.
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Skips the value of a property the protocol does not define (extensions are ignored); false, without
    /// skipping, when the property's name is not valid text.
    /// </summary>
    private static bool TrySkipUnknown(ref Utf8JsonReader reader)
    {
        if (!IsValidText(ref reader))
        {
            return false;
        }
        reader.Read();
        reader.Skip();
        return true;
    }

    private static string NotText(string what) =>
        $"{what} is not valid text: it holds bytes that are not UTF-8, or an escaped lone surrogate such as \\ud800.";

    /// <summary>The current (valid) string, shortened for an error message: a client's name is quoted, never echoed whole.</summary>
    private static string Quoted(ref Utf8JsonReader reader)
    {
        var text = reader.GetString() ?? "";
        return text.Length <= MaxQuotedChars ? text : string.Concat(text.AsSpan(0, MaxQuotedChars), "...");
    }

    /// <summary>Describes a binary (or gRPC) input's first non-finite value, or null when every value is finite: one policy for every protocol.</summary>
    internal static string? NonFiniteError(TensorSpec spec, ReadOnlySpan<byte> data)
    {
        var index = NonFiniteValues.IndexOf(data, spec.DataType);
        return index < 0 ? null : NonFiniteMessage(spec, index);
    }

    private static string NonFiniteMessage(TensorSpec spec, long index) =>
        new StringBuilder().Append("Input '").Append(spec.Name).Append("' has a non-finite value (NaN or infinity) at element ")
            .Append(index).Append("; inputs must be finite numbers.").ToString();
}
