using System.Text.Json;

namespace Serving.Core.Protocol;

// The request's "outputs": which outputs to return, and which of them as binary.
public static partial class InferenceRequestParser
{
    private static string? ParseOutputs(ref Utf8JsonReader reader, InferenceRequest request, ModelSignature signature)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return "'outputs' must be an array.";
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return "Each element of 'outputs' must be an object.";
            }
            var index = -1;
            var binary = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return "Output 'name' must be a string.";
                    }
                    if (!IsValidText(ref reader))
                    {
                        return NotText("Output 'name'");
                    }
                    index = FindTensor(ref reader, signature.Outputs);
                    if (index < 0)
                    {
                        return $"Unknown output '{Quoted(ref reader)}'; the model's outputs are: {Names(signature.Outputs)}.";
                    }
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return "Output 'parameters' must be an object.";
                    }
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("binary_data"u8))
                        {
                            reader.Read();
                            if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                            {
                                return "'binary_data' must be true or false.";
                            }
                            binary = reader.TokenType == JsonTokenType.True;
                        }
                        else if (!TrySkipUnknown(ref reader))
                        {
                            return NotText("A property name");
                        }
                    }
                }
                else if (!TrySkipUnknown(ref reader))
                {
                    return NotText("A property name");
                }
            }
            if (index < 0)
            {
                return "A requested output has no 'name'.";
            }
            request.SelectOutput(index, binary);
        }
        return null;
    }
}
