using Serving.Core.Drift;

namespace Serving.Gateway.Drift;

/// <summary>
/// Which closed window of which version: the identity under which replicas exchange their counts.
/// </summary>
/// <param name="Profile">The version's reference profile (model, version and column layout).</param>
/// <param name="Duration">The window length the recorder rotates by.</param>
/// <param name="WindowId">
/// With aligned windows, the period <c>floor(Unix time / Duration)</c> the window started in (the same on
/// every replica); otherwise a number local to this process.
/// </param>
internal readonly record struct DriftWindowKey(ReferenceProfile Profile, TimeSpan Duration, long WindowId);
