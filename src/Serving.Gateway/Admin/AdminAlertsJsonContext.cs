using System.Text.Json.Serialization;

namespace Serving.Gateway.Admin;

[JsonSerializable(typeof(Dictionary<string, List<string>>))]
internal sealed partial class AdminAlertsJsonContext : JsonSerializerContext;
