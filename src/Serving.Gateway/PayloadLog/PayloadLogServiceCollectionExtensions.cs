namespace Serving.Gateway.PayloadLog;

/// <summary>Registers the payload log.</summary>
internal static class PayloadLogServiceCollectionExtensions
{
    /// <summary>Adds the <see cref="PayloadLogger"/> and its <see cref="PayloadLogWriter"/> (options <c>Serving:PayloadLog</c>; off unless SampleRate &gt; 0).</summary>
    public static IServiceCollection AddPayloadLog(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddCheckedOptions<PayloadLogOptions>(configuration, PayloadLogOptions.Section);
        services.AddSingleton<PayloadLogger>();
        services.AddSingleton<PayloadLogWriter>();
        services.AddHostedService(static sp => sp.GetRequiredService<PayloadLogWriter>());
        return services;
    }
}
