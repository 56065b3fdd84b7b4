using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Serving.Core.Repository;
using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>
/// Read-only view of the on-disk model repository (<see cref="RepositoryLayout"/>, see
/// docs/model-repository.md) for the registry: resolves artifact locations safely, hashes
/// artifacts and reads their metadata.
/// </summary>
internal sealed partial class ModelRepository
{
    private readonly ILogger<ModelRepository> _logger;

    /// <summary>Creates a view of the repository at <paramref name="root"/> (it need not exist yet).</summary>
    public ModelRepository(string root, ILogger<ModelRepository> logger)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _logger = logger;
    }

    /// <summary>The absolute repository root.</summary>
    public string Root { get; }

    /// <summary>
    /// Resolves a relative artifact location to an existing file inside the repository; refuses
    /// traversal (<c>..</c>, absolute paths, symbolic links leading outside) and missing files.
    /// </summary>
    public StoreResult<string> ResolveArtifact(string? relative)
    {
        if (ArtifactPath.Validate(relative) is { } error)
        {
            return StoreResult<string>.Failure(StoreErrorCode.InvalidArgument, error);
        }

        var full = Path.GetFullPath(Path.Combine(Root, relative!));
        if (!IsInside(full))
        {
            return StoreResult<string>.Failure(StoreErrorCode.InvalidArgument, $"artifact location '{relative}' is outside the model repository");
        }

        // Every link along the path counts, directory links included (repo/escape -> /etc).
        bool inside;
        try
        {
            inside = ArtifactPath.IsInside(Root, full);
        }
        catch (IOException ex)
        {
            return StoreResult<string>.Failure(StoreErrorCode.InvalidArgument, $"artifact location '{relative}' cannot be resolved: {ex.Message}");
        }

        if (!inside)
        {
            return StoreResult<string>.Failure(StoreErrorCode.InvalidArgument, $"artifact location '{relative}' links outside the model repository");
        }

        if (!File.Exists(full))
        {
            return StoreResult<string>.Failure(StoreErrorCode.InvalidArgument, $"artifact '{relative}' does not exist in the model repository");
        }

        return full;
    }

    /// <summary>
    /// Resolves and hashes an artifact and reads the <c>metadata.json</c> beside it, producing a
    /// registration without a version number.
    /// </summary>
    public async Task<StoreResult<VersionRegistration>> InspectAsync(string? relative, CancellationToken cancellationToken)
    {
        var resolved = ResolveArtifact(relative);
        if (!resolved.IsSuccess)
        {
            return StoreResult<VersionRegistration>.Failure(resolved.Error);
        }

        var sha256 = await ComputeSha256Async(resolved.Value, cancellationToken).ConfigureAwait(false);
        var metadataPath = Path.Combine(Path.GetDirectoryName(resolved.Value)!, RepositoryLayout.MetadataFileName);
        VersionMetadata? metadata;
        try
        {
            metadata = await ReadMetadataAsync(metadataPath, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return StoreResult<VersionRegistration>.Failure(StoreErrorCode.InvalidArgument,
                $"{RepositoryLayout.MetadataFileName} beside '{relative}' is not valid: {ex.Message}");
        }

        return Registration(relative!, sha256, metadata, version: null);
    }

    /// <summary>
    /// Lists every model directory with its version directories (positive integer names) that hold a
    /// <c>model.onnx</c>, hashed and with metadata. A malformed <c>metadata.json</c> is logged and ignored.
    /// </summary>
    public async Task<ImmutableArray<RepositoryModel>> ScanAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Root))
        {
            LogRepositoryMissing(Root);
            return [];
        }

        var models = ImmutableArray.CreateBuilder<RepositoryModel>();
        var versions = ImmutableArray.CreateBuilder<VersionRegistration>();
        string? model = null;
        foreach (var directory in RepositoryLayout.Enumerate(Root))
        {
            if (directory.Model != model)
            {
                AddModel(models, model, versions);
                model = directory.Model;
            }

            var sha256 = await ComputeSha256Async(directory.ArtifactPath, cancellationToken).ConfigureAwait(false);
            VersionMetadata? metadata = null;
            try
            {
                metadata = await ReadMetadataAsync(Path.Combine(directory.Path, RepositoryLayout.MetadataFileName), cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                LogMetadataInvalid(directory.Model, directory.Version, ex.Message);
            }

            var versionName = directory.Version.ToString(CultureInfo.InvariantCulture);
            versions.Add(Registration($"{directory.Model}/{versionName}/{RepositoryLayout.ArtifactFileName}", sha256, metadata, directory.Version));
        }

        AddModel(models, model, versions);
        return models.ToImmutable();
    }

    private static void AddModel(ImmutableArray<RepositoryModel>.Builder models, string? name, ImmutableArray<VersionRegistration>.Builder versions)
    {
        if (name is not null && versions.Count > 0)
        {
            models.Add(new RepositoryModel(name, versions.ToImmutable()));
        }

        versions.Clear();
    }

    /// <summary>Lower-case hex SHA-256 of a file's bytes.</summary>
    public static async Task<string> ComputeSha256Async(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return Convert.ToHexStringLower(hash);
        }
    }

    private static async Task<VersionMetadata?> ReadMetadataAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync(stream, RepositoryJsonContext.Default.VersionMetadata, cancellationToken).ConfigureAwait(false);
        }
    }

    private static VersionRegistration Registration(string artifact, string sha256, VersionMetadata? metadata, int? version) => new()
    {
        Version = version,
        Artifact = artifact,
        Sha256 = sha256,
        Created = metadata?.Created,
        Description = metadata?.Description,
        Features = metadata?.Features is { } features ? [.. features] : [],
        Metrics = metadata?.Metrics?.ToImmutableSortedDictionary() ?? ImmutableSortedDictionary<string, double>.Empty,
        TrainingDataFingerprint = metadata?.TrainingDataFingerprint,
        CodeCommit = metadata?.CodeCommit,
        Tags = metadata?.Tags?.ToImmutableSortedDictionary() ?? ImmutableSortedDictionary<string, string>.Empty,
    };

    private bool IsInside(string fullPath) =>
        fullPath.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
