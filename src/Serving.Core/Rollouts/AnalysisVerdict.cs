using System.Text.Json.Serialization;

namespace Serving.Core.Rollouts;

/// <summary>The verdict of one canary analysis.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnalysisVerdict>))]
internal enum AnalysisVerdict
{
    /// <summary>Too little data to judge (never counts as a pass).</summary>
    [JsonStringEnumMemberName("wait")]
    Wait,

    /// <summary>Every enabled check is within its limit.</summary>
    [JsonStringEnumMemberName("pass")]
    Pass,

    /// <summary>At least one check is over its limit.</summary>
    [JsonStringEnumMemberName("fail")]
    Fail,
}
