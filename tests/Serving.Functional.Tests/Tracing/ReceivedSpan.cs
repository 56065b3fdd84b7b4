using System.Globalization;
using Google.Protobuf;
using Serving.Functional.Tests.Tracing.Otlp;

namespace Serving.Functional.Tests.Tracing;

/// <summary>One span as an OTLP receiver got it: the sender's <c>service.name</c>, the instrumentation scope, the span.</summary>
internal sealed record ReceivedSpan(string Service, string Scope, Span Span)
{
    public string TraceId => Hex(Span.TraceId);

    public string SpanId => Hex(Span.SpanId);

    /// <summary>The parent's span id; empty for a root span.</summary>
    public string ParentSpanId => Hex(Span.ParentSpanId);

    public string Name => Span.Name;

    public Span.Types.SpanKind Kind => Span.Kind;

    /// <summary>An attribute's value as text (strings as they are, integers in decimal); null when absent.</summary>
    public string? Attribute(string key)
    {
        var value = Span.Attributes.FirstOrDefault(a => a.Key == key)?.Value;
        return value?.ValueCase switch
        {
            null => null,
            AnyValue.ValueOneofCase.StringValue => value.StringValue,
            AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            _ => value.ToString(),
        };
    }

    public override string ToString() => $"{Service} {Scope} {Name} {Kind} span {SpanId} parent {ParentSpanId}";

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);
}
