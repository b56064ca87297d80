using Recsys.Data.Schemas;
using Recsys.Data.Training;

namespace Recsys.Core.Datasets;

/// <summary>
/// The read side for training: a dataset group's interactions as compact arrays with id maps — the committed
/// segments of its Interactions dataset, in commit order, without the rows of deleted users and, in segments of
/// compacted real-time events, without events sent before the newest import (those are taken to be in the imported data).
/// </summary>
/// <param name="segments">The segment store.</param>
/// <param name="deletedUsers">Users removed by data deletion jobs.</param>
public sealed class TrainingDataReader(IDatasetSegmentStore segments, IDeletedUsers deletedUsers)
{
    /// <summary>Loads every committed interaction of <paramref name="datasetGroup"/>.</summary>
    public async Task<TrainingInteractionsBuilder> LoadInteractionsAsync(string datasetGroup, CancellationToken cancellationToken = default)
        => (await ReadAsync(datasetGroup, cancellationToken)).Builder;

    /// <summary>Loads every committed interaction, and returns the manifest and the deletions it applied.</summary>
    public async Task<InteractionsRead> ReadAsync(string datasetGroup, CancellationToken cancellationToken = default)
    {
        var manifest = await segments.ReadManifestAsync(datasetGroup, DatasetType.Interactions, cancellationToken);
        var deletions = await deletedUsers.ReadAllAsync(datasetGroup, cancellationToken);
        var importedThrough = manifest.ImportedThrough == DateTimeOffset.MinValue ? long.MinValue : manifest.ImportedThrough.ToUnixTimeSeconds();
        var builder = new TrainingInteractionsBuilder(checked((int)Math.Min(manifest.Rows, int.MaxValue)));
        foreach (var segment in manifest.Segments)
        {
            InteractionRowFilter? keep = null;
            if (segment.IsCompactedEvents || deletions.MayRemoveFrom(segment))
            {
                keep = (user, timestamp) => !(segment.IsCompactedEvents && timestamp <= importedThrough) && !deletions.Removes(segment, user, timestamp);
            }

            await using var stream = await segments.OpenSegmentReadAsync(datasetGroup, DatasetType.Interactions, segment.Name, cancellationToken);
            await builder.AddSegmentAsync(stream, keep, cancellationToken);
        }

        return new InteractionsRead(builder, manifest, deletions);
    }
}

/// <summary>What <see cref="TrainingDataReader.ReadAsync"/> read.</summary>
/// <param name="Builder">The interactions.</param>
/// <param name="Manifest">The Interactions manifest they came from.</param>
/// <param name="Deletions">The user deletions applied.</param>
public sealed record InteractionsRead(TrainingInteractionsBuilder Builder, DatasetManifest Manifest, UserDeletions Deletions);
