using Recsys.Core.Datasets;
using Recsys.Core.Events;
using Recsys.Data.Schemas;
using Recsys.Data.Segments;
using Recsys.Data.Training;

namespace Recsys.Core.Solutions;

/// <summary>The raw data of a dataset group, before a solution's filters.</summary>
/// <param name="Interactions">Imported interactions plus real-time events.</param>
/// <param name="Items">Item metadata tokens (empty without an Items dataset or when not asked for).</param>
/// <param name="ManifestVersion">Version of the Interactions manifest read.</param>
/// <param name="ImportedRows">Rows from committed segments (imports and compacted real-time events).</param>
/// <param name="RealTimeEvents">Real-time events added from the event store (not compacted yet).</param>
/// <param name="DuplicatesRemoved">Repeated interactions (same user, item, timestamp, event type and value) counted once.</param>
public sealed record LoadedTrainingData(TrainingInteractions Interactions, ItemMetadata Items, long ManifestVersion, long ImportedRows, long RealTimeEvents, long DuplicatesRemoved = 0);

/// <summary>
/// Reads what training needs: the committed Interactions segments (imported data and compacted real-time events, see
/// <see cref="TrainingDataReader"/>), the real-time events not compacted yet (those sent after the newest import; older
/// events are taken to be in the imported data), without deleted users' data, with each repeated interaction (the same
/// user, item, timestamp, event type and value from two imports, or from an import and PutEvents) counted once, and,
/// for recipes that use it, the Items dataset's categorical and textual fields as tokens.
/// </summary>
public sealed class TrainingDataLoader(TrainingDataReader reader, IDatasetSegmentStore segments, IEventStore? events = null)
{
    private const int MaxWordsPerText = 200;

    /// <summary>Loads a dataset group's data.</summary>
    public async Task<LoadedTrainingData> LoadAsync(string datasetGroup, bool withItems, CancellationToken cancellationToken = default)
    {
        var (builder, manifest, deletions) = await reader.ReadAsync(datasetGroup, cancellationToken);
        var imported = builder.Count;
        long realTime = 0;
        if (events is not null)
        {
            var since = manifest.ImportedThrough;
            var compacted = manifest.EventsCompactedThrough;
            await foreach (var e in events.ReadAllAsync(datasetGroup, compacted == DateTimeOffset.MinValue ? null : compacted, null, cancellationToken))
            {
                if (e.SentAt > since && !deletions.Removes(e.HistoryKey, e.SentAt))
                {
                    builder.Add(e.HistoryKey, e.ItemId, e.SentAt.ToUnixTimeSeconds(), e.EventType, e.EventValue);
                    realTime++;
                }
            }
        }

        var duplicates = builder.RemoveDuplicates();
        var items = withItems ? await LoadItemsAsync(datasetGroup, cancellationToken) : ItemMetadata.Empty;
        return new LoadedTrainingData(builder.Build(), items, manifest.Version, imported, realTime, duplicates);
    }

    private async Task<ItemMetadata> LoadItemsAsync(string datasetGroup, CancellationToken cancellationToken)
    {
        var manifest = await segments.ReadManifestAsync(datasetGroup, DatasetType.Items, cancellationToken);
        var byItem = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var segment in manifest.Segments)
        {
            await using var stream = await segments.OpenSegmentReadAsync(datasetGroup, DatasetType.Items, segment.Name, cancellationToken);
            await using var parquet = await ParquetSegmentReader.OpenAsync(stream, cancellationToken);
            var fields = parquet.Schema.Fields.Where(f => f.Type == FieldType.String && (f.IsCategorical || f.IsTextual) && f.Name != ReservedFields.ItemId).ToArray();
            if (fields.Length == 0)
            {
                continue;
            }

            await foreach (var batch in parquet.ReadBatchesAsync([ReservedFields.ItemId, .. fields.Select(f => f.Name)], cancellationToken))
            {
                var ids = batch.GetStringColumn(ReservedFields.ItemId);
                for (var row = 0; row < batch.Count; row++)
                {
                    var tokens = new List<string>(); // a later segment's row replaces an earlier one
                    foreach (var field in fields)
                    {
                        var value = batch.GetStringColumn(field.Name).GetString(row);
                        if (!string.IsNullOrEmpty(value))
                        {
                            tokens.AddRange(field.IsCategorical ? Categorical(field.Name, value) : Words(field.Name, value));
                        }
                    }

                    byItem[ids.GetString(row)!] = tokens;
                }
            }
        }

        var itemIds = byItem.Keys.ToArray();
        return new ItemMetadata(itemIds, [.. itemIds.Select(id => (IReadOnlyList<string>)byItem[id])]);
    }

    private static IEnumerable<string> Categorical(string field, string value)
        => value.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => field + "=" + v.ToLowerInvariant());

    private static IEnumerable<string> Words(string field, string value)
        => value.ToLowerInvariant().Split((char[])[' ', '\t', '\n', '\r', ',', '.', ';', ':', '!', '?', '"', '(', ')', '/', '-'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length >= 3).Distinct().Take(MaxWordsPerText).Select(w => field + ":" + w);
}
