using Recsys.Data.Schemas;

namespace Recsys.Core.Datasets;

/// <summary>One immutable columnar segment of a dataset's imported data.</summary>
/// <param name="Name">Segment name, unique in the dataset.</param>
/// <param name="Rows">Rows it holds.</param>
/// <param name="ImportJob">The import job that wrote it.</param>
/// <param name="CreatedAt">When it was committed.</param>
/// <param name="EventsThrough">
/// Set on segments of compacted real-time events (Interactions only): they hold the events the event store received
/// up to this instant. Null for imported data.
/// </param>
/// <param name="ContentSha256">
/// The SHA-256 (lower-case hex) of the file an import wrote this segment from: an INCREMENTAL import of the same bytes
/// is recognised as a duplicate. Null for compacted events and for segments written before hashes were kept.
/// </param>
public sealed record DatasetSegment(
    string Name, long Rows, string ImportJob, DateTimeOffset CreatedAt, DateTimeOffset? EventsThrough = null, string? ContentSha256 = null)
{
    /// <summary>True for a segment of compacted real-time events, false for imported data.</summary>
    public bool IsCompactedEvents => EventsThrough is not null;
}

/// <summary>
/// The committed state of a dataset: its segments, oldest first. Replacing the manifest is the commit point of an
/// import, so readers see either all of an import or none of it. For Items and Users a later segment's row wins
/// over an earlier one with the same id.
/// </summary>
/// <param name="Version">Increases with every commit.</param>
/// <param name="Segments">Segments, oldest first.</param>
public sealed record DatasetManifest(long Version, IReadOnlyList<DatasetSegment> Segments)
{
    /// <summary>The manifest of a dataset with no data yet.</summary>
    public static DatasetManifest Empty { get; } = new(0, []);

    /// <summary>Total rows over all segments.</summary>
    public long Rows => Segments.Sum(s => s.Rows);

    /// <summary>Rows of imported data (what a FULL import replaces), without compacted real-time events.</summary>
    public long ImportedRows => Segments.Where(s => !s.IsCompactedEvents).Sum(s => s.Rows);

    /// <summary>The committed import segment written from a file with this content hash, if any.</summary>
    public DatasetSegment? ImportedFrom(string contentSha256)
        => Segments.FirstOrDefault(s => !s.IsCompactedEvents && string.Equals(s.ContentSha256, contentSha256, StringComparison.Ordinal));

    /// <summary>Real-time events received up to this instant are in compacted segments (<see cref="DateTimeOffset.MinValue"/> when none are).</summary>
    public DateTimeOffset EventsCompactedThrough => Segments.Select(s => s.EventsThrough ?? DateTimeOffset.MinValue).DefaultIfEmpty(DateTimeOffset.MinValue).Max();

    /// <summary>
    /// When the newest import was committed (<see cref="DateTimeOffset.MinValue"/> without one): real-time events sent
    /// before it are taken to be in the imported data, as Personalize does when historical data is imported after events.
    /// </summary>
    public DateTimeOffset ImportedThrough => Segments.Where(s => !s.IsCompactedEvents).Select(s => s.CreatedAt).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
}

/// <summary>Persistence seam for datasets' imported data: segments and the manifest that commits them.</summary>
public interface IDatasetSegmentStore
{
    /// <summary>The dataset's committed manifest (empty when nothing was imported).</summary>
    Task<DatasetManifest> ReadManifestAsync(string datasetGroup, DatasetType type, CancellationToken cancellationToken = default);

    /// <summary>A write-only stream for a new segment; it is invisible to readers until committed.</summary>
    Task<Stream> OpenSegmentWriteAsync(string datasetGroup, DatasetType type, string segment, CancellationToken cancellationToken = default);

    /// <summary>A seekable stream over a committed segment.</summary>
    Task<Stream> OpenSegmentReadAsync(string datasetGroup, DatasetType type, string segment, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits a change to the manifest atomically (retrying when another commit won the race) and returns the new
    /// manifest; segments that the change dropped are deleted afterwards.
    /// </summary>
    Task<DatasetManifest> CommitAsync(string datasetGroup, DatasetType type, Func<DatasetManifest, DatasetManifest> change, CancellationToken cancellationToken = default);

    /// <summary>Deletes an uncommitted segment (a failed import's output).</summary>
    Task DeleteSegmentAsync(string datasetGroup, DatasetType type, string segment, CancellationToken cancellationToken = default);

    /// <summary>Deletes all of a dataset's data.</summary>
    Task DeleteAllAsync(string datasetGroup, DatasetType type, CancellationToken cancellationToken = default);
}
