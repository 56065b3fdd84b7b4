using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Serving.Gateway;

/// <summary>
/// Settings that say what is wrong with them: each subsystem's options class lists its problems, one message
/// a problem naming the full setting and the value (<c>Serving:Batching:MaxBatchSize must be between 1 and
/// 4096, was 0.</c>), and the gateway refuses to start with any (see <see cref="CheckedOptions.AddCheckedOptions"/>).
/// </summary>
public interface ICheckedOptions
{
    /// <summary>One message per setting out of its range (null for each that is in it).</summary>
    IEnumerable<string?> Problems();
}

/// <summary>Registers options that are bound once and checked when the process starts.</summary>
public static class CheckedOptions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="section"/> of <paramref name="configuration"/> and checks it
    /// when the host starts (and whenever it is first read, if earlier): a problem throws an
    /// <see cref="OptionsValidationException"/> whose failures are the messages of <see cref="ICheckedOptions.Problems"/>.
    /// </summary>
    public static OptionsBuilder<T> AddCheckedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class, ICheckedOptions
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, Validation<T>>());
        return services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    private sealed class Validation<T> : IValidateOptions<T>
        where T : class, ICheckedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = options.Problems().OfType<string>().ToArray();
            return problems.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
