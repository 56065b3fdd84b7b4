using Microsoft.Extensions.Options;
using Serving.Core.Outcomes;
using Serving.Gateway.Storage;
using StackExchange.Redis;

namespace Serving.Gateway.Outcomes;

/// <summary>Registers the prediction log, the feedback join and online performance when some model has outcomes enabled.</summary>
internal static class OutcomeServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="OutcomeOptions"/>; when no model has outcomes enabled registers nothing else, so the request path
    /// does no outcome work. Otherwise the log's store is Redis when <c>Serving:Redis</c> is set, else this process's memory.
    /// </summary>
    public static IServiceCollection AddOutcomes(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(OutcomeOptions.Section);
        services.AddCheckedOptions<OutcomeOptions>(configuration, OutcomeOptions.Section);
        if (!(section.Get<OutcomeOptions>() ?? new OutcomeOptions()).AnyEnabled())
        {
            return services;
        }
        services.AddSingleton<PredictionLog>();
        services.AddSingleton<OnlinePerformance>();
        services.AddSingleton<ILabelledPredictionObserver>(static sp => sp.GetRequiredService<OnlinePerformance>());
        var redis = StorageOptions.From(configuration).Redis;
        if (redis is null)
        {
            services.AddSingleton<IPredictionStore, LocalPredictionStore>();
        }
        else
        {
            services.AddRedisConnection(redis);
            services.AddSingleton<IPredictionStore>(static sp => new RedisPredictionStore(
                sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<IOptions<OutcomeOptions>>()));
        }
        services.AddSingleton<FeedbackJoiner>();
        services.AddSingleton<PredictionLogWriter>();
        services.AddHostedService(static sp => sp.GetRequiredService<PredictionLogWriter>());
        return services;
    }
}
