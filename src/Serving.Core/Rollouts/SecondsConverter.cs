using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>Reads and writes a <see cref="TimeSpan"/> as a JSON number of seconds (fractions allowed).</summary>
internal sealed class SecondsConverter : JsonConverter<TimeSpan>
{
    /// <inheritdoc />
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        double seconds = reader.GetDouble();
        if (!double.IsFinite(seconds) || Math.Abs(seconds) > TimeSpan.MaxValue.TotalSeconds)
        {
            throw new JsonException($"{seconds} is not a valid number of seconds.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value.TotalSeconds);
    }
}
