using System.Text.Json.Serialization;

namespace Serving.Gateway.Alerts;

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(AlertmanagerPayload))]
[JsonSerializable(typeof(AlertDelivery[]))]
[JsonSerializable(typeof(PostableAlert[]))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
