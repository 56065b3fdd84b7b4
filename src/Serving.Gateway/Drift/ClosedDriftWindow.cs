using Serving.Core.Drift;

namespace Serving.Gateway.Drift;

/// <summary>A closed window ready for evaluation: merged across replicas when that worked, else local.</summary>
/// <param name="Monitor">The version it belongs to.</param>
/// <param name="Window">The counts to evaluate.</param>
/// <param name="Replicas">How many replicas' traffic <paramref name="Window"/> covers.</param>
/// <param name="Merged">False when the exchange failed and <paramref name="Window"/> is this replica's alone.</param>
internal sealed record ClosedDriftWindow(VersionDriftMonitor Monitor, DriftWindowSnapshot Window, int Replicas, bool Merged);
