using System.Text.Json;

namespace Serving.Gateway.Outcomes;

/// <summary>
/// Reads a feedback body — one <c>{"id", "label", "value"?}</c> object or an array of them — checking each label
/// against the model's kind. Returns the error to answer 400 with, naming the element, or null.
/// </summary>
internal static class FeedbackParser
{
    /// <summary>Most elements one request may carry.</summary>
    public const int MaxItems = 100_000;

    public static string? TryParse(JsonElement root, OutcomeKind kind, out List<Feedback> feedback)
    {
        feedback = [];
        if (root.ValueKind == JsonValueKind.Object)
        {
            return TryAdd(root, -1, kind, feedback);
        }
        if (root.ValueKind != JsonValueKind.Array)
        {
            return "The body must be a feedback object {\"id\", \"label\", \"value\"?} or an array of them.";
        }
        if (root.GetArrayLength() > MaxItems)
        {
            return $"At most {MaxItems} feedback elements per request.";
        }
        var index = 0;
        foreach (var element in root.EnumerateArray())
        {
            if (TryAdd(element, index++, kind, feedback) is { } error)
            {
                return error;
            }
        }
        return null;
    }

    private static string? TryAdd(JsonElement element, int index, OutcomeKind kind, List<Feedback> feedback)
    {
        var where = index < 0 ? "The feedback" : $"Element {index}";
        if (element.ValueKind != JsonValueKind.Object)
        {
            return $"{where} must be an object {{\"id\", \"label\", \"value\"?}}.";
        }
        if (!element.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 } requestId)
        {
            return $"{where} needs an 'id': the non-empty string the inference response carried.";
        }
        if (!element.TryGetProperty("label", out var labelElement) || !TryNumber(labelElement, out var label))
        {
            return $"{where} needs a 'label': a number (or true/false).";
        }
        if (kind == OutcomeKind.Classifier && label is not (0.0 or 1.0))
        {
            return $"{where}: the model is a classifier, so 'label' must be 0 or 1 (it was {label}).";
        }
        double? value = null;
        if (element.TryGetProperty("value", out var valueElement) && valueElement.ValueKind != JsonValueKind.Null)
        {
            if (valueElement.ValueKind != JsonValueKind.Number || !double.IsFinite(valueElement.GetDouble()))
            {
                return $"{where}: 'value' must be a number when given.";
            }
            value = valueElement.GetDouble();
        }
        feedback.Add(new Feedback(requestId, label, value));
        return null;
    }

    private static bool TryNumber(JsonElement element, out double number)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.True:
                number = 1;
                return true;
            case JsonValueKind.False:
                number = 0;
                return true;
            case JsonValueKind.Number:
                number = element.GetDouble();
                return double.IsFinite(number);
            default:
                number = 0;
                return false;
        }
    }
}
