using System.Text.Json.Serialization;

namespace Serving.Gateway.Alerts;

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(AlertmanagerPayload))]
[JsonSerializable(typeof(AlertDelivery[]))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
