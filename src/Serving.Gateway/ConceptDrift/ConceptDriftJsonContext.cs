using System.Text.Json.Serialization;

namespace Serving.Gateway.ConceptDrift;

/// <summary>Source-generated JSON of the persisted alarms and the admin status.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(List<ConceptDriftAlarmRecord>))]
[JsonSerializable(typeof(ConceptDriftStatus))]
internal sealed partial class ConceptDriftJsonContext : JsonSerializerContext;
