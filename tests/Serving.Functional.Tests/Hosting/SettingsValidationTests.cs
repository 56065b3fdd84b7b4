using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Remote;
using Serving.Gateway;
using Serving.Gateway.Alerts;
using Serving.Gateway.Batching;
using Serving.Gateway.Drift;
using Serving.Gateway.Hosting;
using Serving.Gateway.Inference;
using Serving.Gateway.Outcomes;
using Serving.Gateway.PayloadLog;
using Serving.Gateway.Protocol;
using Serving.Gateway.Remote;
using Serving.Gateway.Rollouts;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Hosting;

/// <summary>
/// Settings out of their range stop the start with a message that names the setting and the value, instead of
/// being clamped or served with; the documented defaults and the settings of deploy/ pass.
/// </summary>
public sealed partial class SettingsValidationTests
{
    /// <summary>One bad value per options class, and the message that must name it.</summary>
    public static TheoryData<string, string> BadSettings => new()
    {
        { "--Serving:Batching:MaxBatchSize=0", "Serving:Batching:MaxBatchSize must be between 1 and 4096, was 0." },
        { "--Serving:Batching:MaxQueueSize=-5", "Serving:Batching:MaxQueueSize must be at least 1, was -5." },
        { "--Serving:Shadow:MaxInFlight=0", "Serving:Shadow:MaxInFlight must be at least 1, was 0." },
        { "--Serving:Shutdown:Timeout=-00:00:01", "Serving:Shutdown:Timeout must not be negative, was -00:00:01." },
        { "--Serving:MaxRequestBodyBytes=0", "Serving:MaxRequestBodyBytes must be at least 1, was 0." },
        { "--Serving:Limits:MinBodyBytesPerSecond=0", "Serving:Limits:MinBodyBytesPerSecond must be at least 1, was 0." },
        { "--Serving:Limits:RequestBufferBytes=1024", "Serving:Limits:RequestBufferBytes must be 0 (derived) or at least Serving:MaxRequestBodyBytes (33554432), was 1024" },
        { "--Serving:Forwarding:UnhealthyAfter=0", "Serving:Forwarding:UnhealthyAfter must be at least 1, was 0." },
        { "--Serving:Forwarding:HealthCheckInterval=00:00:00", "Serving:Forwarding:HealthCheckInterval must be longer than 0, was 00:00:00." },
        { "--Serving:DrainTimeout=-00:00:05", "Serving:DrainTimeout must not be negative, was -00:00:05." },
        // Security settings, checked where they are read (Security/), report the same way.
        { "--Serving:Inference:Quotas:Default:RequestsPerSecond=-1", "Serving:Inference:Quotas:Default: RequestsPerSecond must be positive and Burst not negative." },
        { "--Serving:Inference:Jwt:SigningKey=too-short", "Serving:Inference:Jwt:SigningKey must be at least 32 bytes" },
        { "--Serving:Tls:Url=https://127.0.0.1:9443", "An https:// address, Serving:Tls:Url and Serving:Tls:ClientCertificateAuthority need Serving:Tls:CertificateFile" },
        { "--Serving:OnnxRuntime:GraphOptimizationLevel=fastest", "Serving:OnnxRuntime:GraphOptimizationLevel must be one of disabled, basic, extended, all, was 'fastest'." },
        { "--Serving:OnnxRuntime:ExecutionProvider=tpu", "Serving:OnnxRuntime:ExecutionProvider must be one of auto, cuda, cpu, was 'tpu'." },
        { "--Serving:OnnxRuntime:Cuda:ArenaExtendStrategy=huge", "Unknown Serving:OnnxRuntime:Cuda:ArenaExtendStrategy 'huge'" },
        { "--Serving:Drift:HistorySize=0", "Serving:Drift:HistorySize must be at least 1, was 0." },
        { "--Serving:Drift:FireWindow=2", "Serving:Drift:FireWindow must be at least 3, was 2." },
        { "--Serving:Alerts:MaxAttempts=0", "Serving:Alerts:MaxAttempts must be at least 1, was 0." },
        { "--Serving:PayloadLog:SampleRate=1.5", "Serving:PayloadLog:SampleRate must be between 0 and 1, was 1.5." },
        { "--Serving:Outcomes:Window=0", "Serving:Outcomes:Window must be at least 1, was 0." },
        { "--Serving:Registry:GateTolerance=-1", "Serving:Registry:GateTolerance must be a non-negative number, got '-1'" },
        { "--Serving:Grpc:Url=https://127.0.0.1:9", "Serving:Grpc:Url must be http://host:port with a fixed port (HTTP/2 cleartext); got 'https://127.0.0.1:9'." },
        // Not of the setting's type: the binder's own message names the setting.
        { "--Serving:Batching:MaxBatchSize=abc", "Failed to convert configuration value 'abc' at 'Serving:Batching:MaxBatchSize'" },
        { "--Serving:Role=boss", "Failed to convert configuration value 'boss' at 'Serving:Role'" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Start_SettingOutOfRange_FailsNamingTheSettingAndValue(string setting, string message)
    {
        var state = Directory.CreateTempSubdirectory("serving-settings-").FullName;
        try
        {
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(RepositoryPaths.Models, [setting], stateDirectory: state));

            var problems = InvalidSettings.Problems(failure);
            Assert.True(problems.Any(p => p.StartsWith(message, StringComparison.Ordinal)), $"Expected '{message}', got: {failure}");
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Process_SettingOutOfRange_ExitsWithTheConfigurationCodeAndPrintsTheSetting()
    {
        var state = Directory.CreateTempSubdirectory("serving-settings-").FullName;
        try
        {
            var (exitCode, output) = await GatewayRun.ToExitAsync(
            [
                "--urls", "http://127.0.0.1:0", $"--Serving:StateDirectory={state}",
                $"--Serving:ModelRepository={RepositoryPaths.Models}", "--Serving:Grpc:Url=", "--Serving:Batching:MaxBatchSize=0",
            ]);

            Assert.True(exitCode == InvalidSettings.ExitCode, $"Exit code {exitCode}:\n{output}");
            Assert.Contains("Invalid setting: Serving:Batching:MaxBatchSize must be between 1 and 4096, was 0.", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public void Defaults_EveryOptionsClass_HasNoProblem()
    {
        Assert.Empty(Problems(new ConfigurationBuilder().Build()));
    }

    [Fact]
    public void DeployManifests_TheirSettings_HaveNoProblem()
    {
        // Every Serving__* environment variable the Kubernetes manifests set, read as the gateway reads them.
        var files = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "deploy"), "*.yaml", SearchOption.AllDirectories).ToArray();
        foreach (var file in files)
        {
            var settings = EnvironmentSetting().Matches(File.ReadAllText(file))
                .ToDictionary(static m => m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal), static m => (string?)m.Groups[2].Value.Trim('"'));
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

            var problems = Problems(configuration);
            Assert.True(problems.Count == 0, $"{file}: {string.Join("; ", problems)}");
        }
        Assert.Contains(files, static f => File.ReadAllText(f).Contains("Serving__Shutdown__Timeout", StringComparison.Ordinal));
    }

    /// <summary>The problems of every options class, bound from <paramref name="configuration"/> as the gateway binds them.</summary>
    private static List<string> Problems(IConfiguration configuration) =>
    [
        .. Problems<BatchingDefaults>(configuration, BatchingDefaults.Section),
        .. Problems<OnnxRuntimeOptions>(configuration, OnnxRuntimeOptions.Section),
        .. Problems<ModelHostOptions>(configuration, ModelHostOptions.Section),
        .. Problems<ProtocolOptions>(configuration, ProtocolOptions.Section),
        .. Problems<RemoteOptions>(configuration, RemoteOptions.Section),
        .. Problems<ShadowOptions>(configuration, ShadowOptions.Section),
        .. Problems<ShutdownOptions>(configuration, ShutdownOptions.Section),
        .. Problems<DriftOptions>(configuration, DriftOptions.Section),
        .. Problems<AlertOptions>(configuration, AlertOptions.Section),
        .. Problems<PayloadLogOptions>(configuration, PayloadLogOptions.Section),
        .. Problems<OutcomeOptions>(configuration, OutcomeOptions.Section),
    ];

    private static IEnumerable<string> Problems<T>(IConfiguration configuration, string section)
        where T : class, ICheckedOptions, new() =>
        (configuration.GetSection(section).Get<T>() ?? new T()).Problems().OfType<string>();

    [GeneratedRegex(@"- name: (Serving__\w+)\s*\n\s*value: (.+)")]
    private static partial Regex EnvironmentSetting();
}
