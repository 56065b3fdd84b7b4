using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>Reads and writes a nullable <see cref="TimeSpan"/> as a JSON number of seconds or null.</summary>
internal sealed class NullableSecondsConverter : JsonConverter<TimeSpan?>
{
    private static readonly SecondsConverter Inner = new();

    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override TimeSpan? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : Inner.Read(ref reader, typeof(TimeSpan), options);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TimeSpan? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } span)
        {
            writer.WriteNumberValue(span.TotalSeconds);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
