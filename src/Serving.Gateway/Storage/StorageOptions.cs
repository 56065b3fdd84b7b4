namespace Serving.Gateway.Storage;

/// <summary>
/// Where the gateway keeps what outlives a process, read once from the <c>Serving</c> section: the Redis
/// connection that the registry, rollouts, drift, experiments, outcomes and workers share, the state directory
/// of the file stores (and of the snapshots, payload log and concept-drift state) and the model repository.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section the settings are read from.</summary>
    public const string Section = "Serving";

    /// <summary>The state directory when <c>Serving:StateDirectory</c> is not set.</summary>
    public const string DefaultStateDirectory = "state";

    /// <summary>The model repository when <c>Serving:ModelRepository</c> is not set.</summary>
    public const string DefaultModelRepository = "models";

    private string? _redis;
    private string _stateDirectory = DefaultStateDirectory;
    private string _modelRepository = DefaultModelRepository;

    /// <summary>
    /// <c>Serving:Redis</c>: a StackExchange.Redis connection string, or null (not set, or empty) to keep the
    /// state in files under <see cref="StateDirectory"/>.
    /// </summary>
    public string? Redis
    {
        get => _redis;
        set => _redis = string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary><c>Serving:StateDirectory</c>, relative to the working directory; empty means the default, <c>state</c>.</summary>
    public string StateDirectory
    {
        get => _stateDirectory;
        set => _stateDirectory = string.IsNullOrWhiteSpace(value) ? DefaultStateDirectory : value;
    }

    /// <summary>
    /// <c>Serving:ModelRepository</c>: the directory of <c>&lt;model&gt;/&lt;version&gt;/model.onnx</c>, relative to the
    /// working directory; empty means the default, <c>models</c>.
    /// </summary>
    public string ModelRepository
    {
        get => _modelRepository;
        set
        {
            IsModelRepositoryNamed = !string.IsNullOrWhiteSpace(value);
            _modelRepository = IsModelRepositoryNamed ? value : DefaultModelRepository;
        }
    }

    /// <summary>Whether <c>Serving:ModelRepository</c> names a directory (rather than leaving the default, <c>models</c>).</summary>
    public bool IsModelRepositoryNamed { get; private set; }

    /// <summary>The settings in <paramref name="configuration"/>, for registrations that choose a store by them.</summary>
    public static StorageOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(Section).Get<StorageOptions>() ?? new StorageOptions();
    }
}
