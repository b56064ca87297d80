using System.Collections.Concurrent;

namespace Recsys.Core.Solutions;

/// <summary>
/// Loads trained solution versions for serving: reads the manifest (a version without one is not served), then the
/// artifact, and keeps loaded models per instance (a version's model never changes once committed).
/// </summary>
public sealed class SolutionModelLoader(SolutionService solutions, ISolutionModelStore models, ILearningToRank? ranking = null)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<SolutionModel>>> _cache = new(StringComparer.Ordinal);

    /// <summary>The model of a solution version (ARN or <c>{solution}/{version}</c>).</summary>
    /// <exception cref="Errors.ResourceNotFoundException">No such version.</exception>
    /// <exception cref="Errors.ResourceInUseException">The version has no committed model (not ACTIVE).</exception>
    public async Task<SolutionModel> LoadAsync(string solutionVersionArn, CancellationToken cancellationToken = default)
    {
        var version = (await solutions.DescribeVersionAsync(solutionVersionArn, cancellationToken)).Value;
        var key = version.Solution + "/" + version.Name;
        var lazy = _cache.GetOrAdd(key, _ => new Lazy<Task<SolutionModel>>(() => ReadAsync(version.Solution, version.Name)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch when (lazy.Value.IsFaulted)
        {
            _cache.TryRemove(new KeyValuePair<string, Lazy<Task<SolutionModel>>>(key, lazy));
            throw;
        }
    }

    private async Task<SolutionModel> ReadAsync(string solution, string version)
    {
        var manifest = await models.ReadManifestAsync(solution, version)
            ?? throw new Errors.ResourceInUseException($"The solution version '{solution}/{version}' has no committed model yet.");
        await using var stream = await models.OpenArtifactAsync(manifest.ArtifactPath);
        return SolutionModel.Read(stream, ranking);
    }
}
