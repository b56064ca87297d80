using System.Collections.Concurrent;
using Recsys.Core.Resources;

namespace Recsys.Core.Solutions;

/// <summary>
/// Loads trained solution versions for serving and keeps them per instance: a model loads once, on first use, and
/// is shared by concurrent requests (a version's model never changes once committed). Models not used for the
/// longest time are dropped when the cache is over its memory budget, so a campaign that moved to a new version
/// stops holding the old one. The known-version check is a table read on first use only, not per request.
/// </summary>
public sealed class SolutionModelLoader(
    SolutionService solutions,
    ISolutionModelStore models,
    ILearningToRank? ranking = null,
    long memoryBudgetBytes = SolutionModelLoader.DefaultMemoryBudgetBytes,
    TimeProvider? time = null)
{
    /// <summary>Default budget: 2 GiB of model artifacts per instance.</summary>
    public const long DefaultMemoryBudgetBytes = 2L * 1024 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _evicting = new();

    /// <summary>Models loaded now.</summary>
    public int Count => _cache.Count;

    /// <summary>Estimated bytes of the models loaded now (their artifact sizes).</summary>
    public long Bytes => _cache.Values.Sum(e => e.Bytes);

    /// <summary>The model of a solution version (ARN or <c>{solution}/{version}</c>).</summary>
    /// <exception cref="Errors.ResourceNotFoundException">No such version.</exception>
    /// <exception cref="Errors.ResourceInUseException">The version has no committed model (not ACTIVE).</exception>
    public async Task<SolutionModel> LoadAsync(string solutionVersionArn, CancellationToken cancellationToken = default)
    {
        var key = string.Join('/', ResourceArn.ResolvePath(SolutionVersion.ResourceType, solutionVersionArn, "solutionVersionArn", 2));
        if (!_cache.TryGetValue(key, out var entry))
        {
            var version = (await solutions.DescribeVersionAsync(solutionVersionArn, cancellationToken)).Value;
            entry = _cache.GetOrAdd(key, _ => new Entry(this, version.Solution, version.Name));
        }

        entry.LastUsed = _time.GetTimestamp();
        try
        {
            var model = await entry.Model.Value.WaitAsync(cancellationToken);
            if (!entry.Counted)
            {
                entry.Counted = true;
                Evict(key);
            }

            return model;
        }
        catch when (entry.Model.Value.IsFaulted)
        {
            _cache.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            throw;
        }
    }

    private void Evict(string keep)
    {
        lock (_evicting)
        {
            while (Bytes > memoryBudgetBytes && _cache.Count > 1)
            {
                var oldest = _cache.Where(e => e.Key != keep && e.Value.Model.IsValueCreated && e.Value.Model.Value.IsCompleted)
                    .OrderBy(e => e.Value.LastUsed).FirstOrDefault();
                if (oldest.Key is null)
                {
                    return;
                }

                _cache.TryRemove(oldest);
            }
        }
    }

    private async Task<(SolutionModel Model, long Bytes)> ReadAsync(string solution, string version)
    {
        var manifest = await models.ReadManifestAsync(solution, version)
            ?? throw new Errors.ResourceInUseException($"The solution version '{solution}/{version}' has no committed model yet.");
        await using var stream = await models.OpenArtifactAsync(manifest.ArtifactPath);
        var bytes = stream.CanSeek ? stream.Length : 0;
        return (SolutionModel.Read(stream, ranking), bytes);
    }

    private sealed class Entry
    {
        public Entry(SolutionModelLoader loader, string solution, string version)
        {
            Model = new Lazy<Task<SolutionModel>>(async () =>
            {
                var (model, bytes) = await loader.ReadAsync(solution, version);
                Bytes = bytes;
                return model;
            });
        }

        public Lazy<Task<SolutionModel>> Model { get; }

        public long Bytes { get; private set; }

        public long LastUsed { get; set; }

        public bool Counted { get; set; }
    }
}
