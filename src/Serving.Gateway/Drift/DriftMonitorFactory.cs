using System.Globalization;
using Microsoft.Extensions.Options;
using Serving.Core.Drift;
using Serving.Core.Protocol;
using Serving.Core.Repository;

namespace Serving.Gateway.Drift;

/// <summary>
/// Builds a version's drift monitor at load: the reference profile from its <c>reference.csv</c>
/// (PSI bins frozen at the reference deciles, or per category), the window recorder and the alarm
/// evaluator. A version that ships no reference is not monitored. A version whose reference cannot be used
/// (a missing column, an empty cell, a model without a float feature input) serves all the same, but its
/// drift status is <c>unavailable</c> with the reason: in <c>/admin/drift</c>, readiness, the log and
/// <c>serving_drift_monitor_available</c>.
/// </summary>
/// <remarks>
/// When the <see cref="IDriftWindowExchange"/> is shared (Redis), windows are time-aligned
/// (<see cref="DriftWindowOptions.AlignToDuration"/>) so that every replica's window of a period merges
/// into one; the row limit does not apply then.
/// </remarks>
internal sealed partial class DriftMonitorFactory(
    IOptions<DriftOptions> options, IDriftWindowExchange exchange, TimeProvider time, ILogger<DriftMonitorFactory> logger)
{
    /// <summary>Builds the monitor of a loaded version.</summary>
    /// <param name="descriptor">The version.</param>
    /// <param name="signature">Its model's inputs and outputs.</param>
    /// <param name="unavailable">Why a version that ships a reference cannot be monitored; null otherwise.</param>
    /// <returns>The monitor, or null when drift is off, the version ships no reference, or it is unavailable.</returns>
    public VersionDriftMonitor? TryCreate(VersionDescriptor descriptor, ModelSignature signature, out string? unavailable)
    {
        unavailable = null;
        var o = options.Value;
        if (!o.Enabled)
        {
            return null;
        }
        if (descriptor.ReferencePath is null)
        {
            LogNotMonitored(logger, descriptor.Model, descriptor.Version, "it ships no reference.csv");
            return null;
        }
        VersionDriftMonitor? monitor;
        try
        {
            (monitor, unavailable) = Create(descriptor, signature, o);
        }
        catch (ArgumentException ex)
        {
            (monitor, unavailable) = (null, "its reference profile could not be built: " + ex.Message);
        }
        if (monitor is null)
        {
            LogUnavailable(logger, descriptor.Model, descriptor.Version, unavailable!);
        }
        return monitor;
    }

    private (VersionDriftMonitor? Monitor, string? Reason) Create(VersionDescriptor descriptor, ModelSignature signature, DriftOptions o)
    {
        var metadata = descriptor.Metadata;
        var inputName = metadata.FeatureInput ?? (signature.Inputs.Count == 1 ? signature.Inputs[0].Name : null);
        var outputName = metadata.PredictionOutput ?? (signature.Outputs.Count == 1 ? signature.Outputs[0].Name : null);
        var inputIndex = IndexOf(signature.Inputs, inputName);
        var outputIndex = IndexOf(signature.Outputs, outputName);
        if (inputIndex < 0 || outputIndex < 0)
        {
            return (null, "metadata.json names no feature_input and prediction_output that the model has");
        }
        var input = signature.Inputs[inputIndex];
        var output = signature.Outputs[outputIndex];
        if (input.DataType != TensorDataType.Fp32 || input.Shape.Count != 2 || input.Shape[1] <= 0
            || output.DataType != TensorDataType.Fp32 || output.Shape.Count != 2 || output.Shape[1] <= 0)
        {
            return (null, "drift monitoring needs an FP32 [-1, F] feature input and an FP32 [-1, K] prediction output");
        }
        var featureCount = (int)input.Shape[1];
        var outputCount = (int)output.Shape[1];
        var features = metadata.Features;
        if (features is null)
        {
            var generated = new string[featureCount];
            for (var i = 0; i < featureCount; i++)
            {
                generated[i] = "f" + i.ToString(CultureInfo.InvariantCulture);
            }
            features = generated;
        }
        if (features.Count != featureCount)
        {
            return (null, $"metadata.json lists {features.Count} features but input '{input.Name}' has {featureCount} columns");
        }
        var csvOutputs = new string[outputCount];
        var profileOutputs = new string[outputCount];
        for (var i = 0; i < outputCount; i++)
        {
            csvOutputs[i] = outputCount == 1 ? output.Name : $"{output.Name}_{i}";
            profileOutputs[i] = "output:" + csvOutputs[i];
        }
        var (data, error) = ReferenceData.Read(descriptor.ReferencePath!, features, csvOutputs);
        if (data is null)
        {
            return (null, error);
        }
        var version = descriptor.Version.ToString(CultureInfo.InvariantCulture);
        var profileOptions = new ReferenceProfileOptions
        {
            CategoricalMaxDistinct = o.CategoricalMaxDistinct,
            CategoricalColumns = new HashSet<string>(descriptor.Settings.Drift?.Categorical ?? [], StringComparer.Ordinal),
        };
        var profile = ReferenceProfile.Build(descriptor.Model, version, features, profileOutputs, data.Features, data.Outputs, data.RowCount, profileOptions);
        var (thresholds, windows, thresholdError) = Settings(o, descriptor.Settings.Drift);
        if (thresholdError is not null)
        {
            return (null, "its drift settings are invalid: " + thresholdError);
        }
        if (exchange.IsShared && windows.MaxDuration <= TimeSpan.Zero)
        {
            return (null, "with Serving:Redis set, drift windows are time-aligned and need a positive window duration");
        }
        var recorder = new DriftRecorder(profile, windows with { AlignToDuration = exchange.IsShared }, time);
        var evaluator = new DriftEvaluator(profile, time);
        return (new VersionDriftMonitor(profile, recorder, evaluator, thresholds, inputIndex, outputIndex), null);
    }

    /// <summary>The model's thresholds and windows: its <c>model.json</c> drift section over the gateway's defaults.</summary>
    internal static (DriftThresholds Thresholds, DriftWindowOptions Windows, string? Error) Settings(DriftOptions o, DriftSettings? s)
    {
        var correctionName = (s?.Correction ?? o.Correction).Trim().ToLowerInvariant();
        MultipleTestingCorrection? correction = correctionName switch
        {
            "benjamini-hochberg" or "bh" or "fdr" => MultipleTestingCorrection.BenjaminiHochberg,
            "bonferroni" => MultipleTestingCorrection.Bonferroni,
            "none" => MultipleTestingCorrection.None,
            _ => null,
        };
        var thresholds = new DriftThresholds
        {
            PsiWarning = s?.PsiWarning ?? o.PsiWarning,
            PsiCritical = s?.PsiCritical ?? o.PsiCritical,
            KsPValue = s?.KsPValue ?? o.KsPValue,
            Correction = correction ?? MultipleTestingCorrection.BenjaminiHochberg,
            MinimumSampleSize = s?.MinimumSamples ?? o.MinimumSamples,
            FireAfter = s?.FireAfter ?? o.FireAfter,
            FireWindow = s?.FireWindow ?? o.FireWindow,
            MissingRateWarning = s?.MissingRateWarning ?? o.MissingRateWarning,
            MissingRateCritical = s?.MissingRateCritical ?? o.MissingRateCritical,
            ResolveAfter = s?.ResolveAfter ?? o.ResolveAfter,
        };
        var windows = new DriftWindowOptions
        {
            MaxRows = s?.WindowRows ?? o.WindowRows,
            MaxDuration = s?.WindowSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : o.WindowDuration,
            SampleCapacity = o.SampleCapacity,
        };
        if (correction is null)
        {
            return (thresholds, windows, $"unknown correction '{correctionName}' (use benjamini-hochberg, bonferroni or none)");
        }
        return thresholds.TryValidate(out var error) ? (thresholds, windows, null) : (thresholds, windows, error);
    }

    private static int IndexOf(IReadOnlyList<TensorSpec> specs, string? name)
    {
        for (var i = 0; name is not null && i < specs.Count; i++)
        {
            if (specs[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "{Model} version {Version} is served without drift monitoring: {Reason}")]
    private static partial void LogNotMonitored(ILogger logger, string model, int version, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "{Model} version {Version}: drift monitoring is unavailable: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string model, int version, string reason);
}
