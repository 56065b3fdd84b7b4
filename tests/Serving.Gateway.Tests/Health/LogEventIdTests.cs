using System.Reflection;
using Microsoft.Extensions.Logging;
using Serving.Core;
using Serving.Gateway.Inference;

namespace Serving.Gateway.Tests.Health;

/// <summary>
/// Every log message of the gateway and Core has its own event id, inside the range <see cref="LogEventIds"/>
/// gives its namespace: found by reflection on the <see cref="LoggerMessageAttribute"/>s of both assemblies.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly Assembly[] Assemblies = [typeof(ModelHost).Assembly, typeof(LogEventIds).Assembly];

    [Fact]
    public void LoggerMessages_FoundInBothAssemblies()
    {
        var messages = Messages();
        Assert.Contains(messages, static m => m.Method.DeclaringType!.Assembly == Assemblies[0]);
        Assert.Contains(messages, static m => m.Method.DeclaringType!.Assembly == Assemblies[1]);
        Assert.True(messages.Count >= 70, $"{messages.Count} logger messages found");
    }

    [Fact]
    public void LoggerMessages_NoEventIdUsedTwice()
    {
        var duplicates = Messages()
            .GroupBy(static m => m.EventId)
            .Where(static g => g.Count() > 1)
            .Select(static g => $"{g.Key}: {string.Join(", ", g.Select(static m => Describe(m.Method)))}")
            .ToArray();

        Assert.True(duplicates.Length == 0, "Event ids used twice (take the next free id in the namespace's range):\n" + string.Join("\n", duplicates));
    }

    [Fact]
    public void LoggerMessages_EachIdInItsNamespacesRange()
    {
        var messages = Messages();
        var strays = messages
            .Where(static m => !LogEventIds.Ranges.Any(r => r.Namespace == m.Method.DeclaringType!.Namespace && m.EventId >= r.First && m.EventId <= r.Last))
            .Select(m => $"{Describe(m.Method)} uses {m.EventId}; {NextFree(m.Method.DeclaringType!.Namespace!, messages)}")
            .ToArray();

        Assert.True(strays.Length == 0, "Event ids outside their namespace's range in Serving.Core.LogEventIds:\n" + string.Join("\n", strays));
    }

    [Fact]
    public void Ranges_InOrderAndNoneOverlapping()
    {
        var ranges = LogEventIds.Ranges;
        for (var i = 0; i < ranges.Count; i++)
        {
            Assert.True(ranges[i].First <= ranges[i].Last, $"range {ranges[i]} is empty");
            if (i > 0)
            {
                Assert.True(ranges[i - 1].Last < ranges[i].First, $"{ranges[i - 1]} and {ranges[i]} overlap or are out of order");
            }
        }
    }

    private static string NextFree(string ns, IReadOnlyList<(MethodInfo Method, int EventId)> messages)
    {
        var used = messages.Select(static m => m.EventId).ToHashSet();
        foreach (var (first, last, owner) in LogEventIds.Ranges)
        {
            if (owner == ns && Enumerable.Range(first, last - first + 1).FirstOrDefault(id => !used.Contains(id)) is var free and > 0)
            {
                return $"the next free id of {ns} is {free}";
            }
        }
        return $"{ns} has no range (or no free id) yet: add one to LogEventIds";
    }

    private static string Describe(MethodInfo method) => $"{method.DeclaringType!.FullName}.{method.Name}";

    private static List<(MethodInfo Method, int EventId)> Messages() =>
        [.. Assemblies
            .SelectMany(static a => a.GetTypes())
            .SelectMany(static t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(static m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(static m => m.Attribute is not null)
            .Select(static m => (m.Method, m.Attribute!.EventId))];
}
