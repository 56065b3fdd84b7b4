using Serving.Core.Drift;

namespace Serving.Gateway.Drift;

/// <summary>A window merged over every replica that published it before it was read.</summary>
/// <param name="Window">The merged counts: a valid window of the profile it was read for.</param>
/// <param name="Replicas">How many replicas (this one included) contributed.</param>
internal sealed record MergedDriftWindow(DriftWindowSnapshot Window, int Replicas);
