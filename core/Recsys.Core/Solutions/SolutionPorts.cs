namespace Recsys.Core.Solutions;

/// <summary>
/// The manifest of a trained solution version: what the artifact is and how it was made. Written after the
/// artifact, it is the commit point: a version without a manifest has no model to serve.
/// </summary>
/// <param name="SolutionVersionArn">The version.</param>
/// <param name="Recipe">Recipe name.</param>
/// <param name="ModelFormatVersion">Artifact layout version (<see cref="SolutionModel.ArtifactVersion"/>).</param>
/// <param name="ArtifactPath">Blob path of the binary artifact.</param>
/// <param name="ArtifactBytes">Its size.</param>
/// <param name="Hyperparameters">Hyperparameters the model was trained with.</param>
/// <param name="DataSnapshot">What data it was trained on.</param>
/// <param name="Metrics">Offline metrics.</param>
/// <param name="Evaluation">The split and its sizes.</param>
/// <param name="TimingsSeconds">Seconds per phase.</param>
/// <param name="CreatedAt">When it was committed.</param>
public sealed record ModelManifest(
    string SolutionVersionArn,
    string Recipe,
    int ModelFormatVersion,
    string ArtifactPath,
    long ArtifactBytes,
    IReadOnlyDictionary<string, string> Hyperparameters,
    DataSnapshot DataSnapshot,
    IReadOnlyDictionary<string, double> Metrics,
    EvaluationSummary Evaluation,
    IReadOnlyDictionary<string, double> TimingsSeconds,
    DateTimeOffset CreatedAt);

/// <summary>The data a version was trained on.</summary>
/// <param name="InteractionsManifestVersion">Version of the Interactions dataset's manifest read.</param>
/// <param name="ImportedInteractions">Rows read from imported segments.</param>
/// <param name="RealTimeEvents">Real-time events added (recorded after the last import).</param>
/// <param name="InteractionsAfterFilters">Interactions kept by the solution's filters.</param>
/// <param name="Users">Users trained on.</param>
/// <param name="Items">Items in the catalogue (interacted items plus items known only from the Items dataset).</param>
/// <param name="ItemsWithMetadata">Items with metadata tokens.</param>
public sealed record DataSnapshot(
    long InteractionsManifestVersion,
    long ImportedInteractions,
    long RealTimeEvents,
    long InteractionsAfterFilters,
    int Users,
    int Items,
    int ItemsWithMetadata);

/// <summary>Model artifacts and manifests in Blob Storage (<c>models/{solution}/{version}/</c>).</summary>
public interface ISolutionModelStore
{
    /// <summary>Writes the artifact (replacing a partial one from an interrupted run); returns its path and size.</summary>
    Task<(string Path, long Bytes)> WriteArtifactAsync(string solution, string version, Action<Stream> write, CancellationToken cancellationToken = default);

    /// <summary>Writes the manifest, committing the version's model; returns its path.</summary>
    Task<string> CommitManifestAsync(string solution, string version, ModelManifest manifest, CancellationToken cancellationToken = default);

    /// <summary>The committed manifest, or null when the version has none (not trained, failed, or interrupted).</summary>
    Task<ModelManifest?> ReadManifestAsync(string solution, string version, CancellationToken cancellationToken = default);

    /// <summary>Opens a committed artifact for reading.</summary>
    Task<Stream> OpenArtifactAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Deletes everything stored for a version.</summary>
    Task DeleteAsync(string solution, string version, CancellationToken cancellationToken = default);
}
