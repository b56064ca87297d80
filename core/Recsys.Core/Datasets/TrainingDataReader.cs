using Recsys.Data.Schemas;
using Recsys.Data.Training;

namespace Recsys.Core.Datasets;

/// <summary>
/// The read side for training: a dataset group's interactions as compact arrays with id maps — the committed
/// segments of its Interactions dataset, in commit order.
/// </summary>
public sealed class TrainingDataReader(IDatasetSegmentStore segments)
{
    /// <summary>Loads every committed interaction of <paramref name="datasetGroup"/>.</summary>
    public async Task<TrainingInteractionsBuilder> LoadInteractionsAsync(string datasetGroup, CancellationToken cancellationToken = default)
    {
        var manifest = await segments.ReadManifestAsync(datasetGroup, DatasetType.Interactions, cancellationToken);
        var builder = new TrainingInteractionsBuilder(checked((int)Math.Min(manifest.Rows, int.MaxValue)));
        foreach (var segment in manifest.Segments)
        {
            await using var stream = await segments.OpenSegmentReadAsync(datasetGroup, DatasetType.Interactions, segment.Name, cancellationToken);
            await builder.AddSegmentAsync(stream, cancellationToken);
        }

        return builder;
    }
}
