using System.Diagnostics;

namespace Serving.Gateway.Tracing;

/// <summary>
/// The span of one running batch and the <see cref="Activity.Current"/> to put back when it ends (the
/// batch may run inline on a request's thread). Default (no span) when no request in the batch is traced.
/// </summary>
internal readonly record struct BatchTrace(Activity? Span, Activity? Previous);
