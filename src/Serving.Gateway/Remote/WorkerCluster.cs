namespace Serving.Gateway.Remote;

/// <summary>
/// The workers that host one model (or, for the wildcard cluster, every model): a YARP-style cluster.
/// Picks a destination by the power of two choices on requests in flight, among available ones.
/// </summary>
internal sealed class WorkerCluster(string model, WorkerDestination[] destinations)
{
    /// <summary>The model, or empty for the wildcard cluster of workers that host every model.</summary>
    public string Model { get; } = model;

    public WorkerDestination[] Destinations { get; } = destinations;

    /// <summary>True when at least one destination has passed a probe and is not kept out.</summary>
    public bool HasHealthyDestination(long nowTicks)
    {
        foreach (var destination in Destinations)
        {
            if (destination.ProbedHealthy && destination.IsAvailable(nowTicks))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// An available destination other than <paramref name="exclude"/>: two picked at random, the one
    /// with fewer requests in flight wins (YARP's default policy). Null when none is available.
    /// </summary>
    public WorkerDestination? Pick(long nowTicks, WorkerDestination? exclude)
    {
        var available = 0;
        foreach (var destination in Destinations)
        {
            if (!ReferenceEquals(destination, exclude) && destination.IsAvailable(nowTicks))
            {
                available++;
            }
        }
        if (available == 0)
        {
            return null;
        }
        var first = Nth(Random.Shared.Next(available), nowTicks, exclude);
        if (available == 1)
        {
            return first;
        }
        var second = Nth(Random.Shared.Next(available), nowTicks, exclude);
        return second.InFlight < first.InFlight ? second : first;
    }

    private WorkerDestination Nth(int index, long nowTicks, WorkerDestination? exclude)
    {
        foreach (var destination in Destinations)
        {
            if (!ReferenceEquals(destination, exclude) && destination.IsAvailable(nowTicks) && index-- == 0)
            {
                return destination;
            }
        }
        // Availability changed between counting and choosing (a probe or a failure in between).
        foreach (var destination in Destinations)
        {
            if (!ReferenceEquals(destination, exclude))
            {
                return destination;
            }
        }
        return Destinations[0];
    }
}
