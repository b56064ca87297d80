using Recsys.Core.Datasets;
using Recsys.Core.Events;
using Recsys.Core.Schemas;
using Recsys.Data.Records;
using Recsys.Data.Schemas;
using Recsys.Data.Segments;

namespace Recsys.Core.DataLifecycle;

/// <summary>What one compaction did.</summary>
/// <param name="Segment">The segment written, or null when there was nothing to compact.</param>
/// <param name="Events">Events written to it.</param>
/// <param name="EventsThrough">Events received up to this instant are now in segments.</param>
/// <param name="RowsDeleted">Event rows removed from the event store afterwards.</param>
public sealed record CompactionResult(string? Segment, long Events, DateTimeOffset? EventsThrough, long RowsDeleted);

/// <summary>
/// Moves a dataset group's real-time events into a Parquet segment of its Interactions dataset, so that training
/// reads them in bulk instead of table row by row, and the events table stays small. A run takes the events received
/// after the last compaction and up to the settle time ago (appends still in flight are left to the next run), writes them as
/// one segment marked with that instant, commits it only if no other compaction committed meanwhile, and then deletes
/// those event rows (the users' histories stay, so serving does not change). Crash-safe: until the commit nothing is
/// visible; after it, training reads the table only past the mark, so rows left by an interrupted deletion are never
/// counted twice and the next run removes them.
/// </summary>
/// <param name="datasets">Datasets.</param>
/// <param name="schemas">Schemas.</param>
/// <param name="segments">Segment store.</param>
/// <param name="events">Event store.</param>
/// <param name="time">Clock.</param>
/// <param name="settleTime">How long before a run events must have been received to be compacted by it (default <see cref="DefaultSettleTime"/>).</param>
public sealed class EventCompactor(
    DatasetService datasets, SchemaService schemas, IDatasetSegmentStore segments, IEventStore events, TimeProvider time, TimeSpan? settleTime = null)
{
    /// <summary>The default settle time: appends take milliseconds, so a minute leaves ample room for retries.</summary>
    public static readonly TimeSpan DefaultSettleTime = TimeSpan.FromMinutes(1);

    private const int BatchRows = 8192;

    /// <summary>Compacts the events of one dataset group (nothing when it has no Interactions dataset).</summary>
    /// <exception cref="InvalidOperationException">An event does not fit the dataset's schema (a required field is missing); nothing changed.</exception>
    public async Task<CompactionResult> CompactAsync(string datasetGroup, CancellationToken cancellationToken = default)
    {
        var dataset = await datasets.FindAsync(datasetGroup, DatasetType.Interactions, cancellationToken);
        if (dataset is null)
        {
            return new CompactionResult(null, 0, null, 0);
        }

        var schema = (await schemas.DescribeAsync(dataset.SchemaArn, cancellationToken)).Value.Parse();
        var manifest = await segments.ReadManifestAsync(datasetGroup, DatasetType.Interactions, cancellationToken);
        var from = manifest.EventsCompactedThrough;
        var through = time.GetUtcNow() - (settleTime ?? DefaultSettleTime);
        if (through <= from)
        {
            return new CompactionResult(null, 0, from, 0);
        }

        var name = "events-" + through.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        long rows = 0;
        try
        {
            await using var output = await segments.OpenSegmentWriteAsync(datasetGroup, DatasetType.Interactions, name, cancellationToken);
            await using var writer = await ParquetSegmentWriter.CreateAsync(schema, output, cancellationToken);
            var batch = new RecordBatch(schema, BatchRows);
            await foreach (var e in events.ReadAllAsync(datasetGroup, from == DateTimeOffset.MinValue ? null : from, through, cancellationToken))
            {
                if (batch.IsFull)
                {
                    await writer.WriteAsync(batch, cancellationToken);
                    batch.Clear();
                }

                try
                {
                    batch.AppendRow(EventRecords.Values(e));
                }
                catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidCastException or OverflowException)
                {
                    throw new InvalidOperationException(
                        $"Event '{e.EventId}' of '{e.HistoryKey}' does not fit the Interactions schema ({ex.Message}); the events stay in the event store, where training still reads them.", ex);
                }

                rows++;
            }

            if (batch.Count > 0)
            {
                await writer.WriteAsync(batch, cancellationToken);
            }
        }
        catch
        {
            await segments.DeleteSegmentAsync(datasetGroup, DatasetType.Interactions, name, CancellationToken.None);
            throw;
        }

        if (rows == 0)
        {
            // Nothing new; remove rows an interrupted run left behind its mark (training no longer reads them).
            await segments.DeleteSegmentAsync(datasetGroup, DatasetType.Interactions, name, cancellationToken);
            var leftover = from == DateTimeOffset.MinValue ? 0 : await events.DeleteEventsAsync(datasetGroup, from, cancellationToken);
            return new CompactionResult(null, 0, from, leftover);
        }

        var segment = new DatasetSegment(name, rows, "compaction", time.GetUtcNow(), through);
        var raced = false;
        await segments.CommitAsync(datasetGroup, DatasetType.Interactions, current =>
        {
            raced = current.EventsCompactedThrough != from;
            return raced ? current : current with { Segments = [.. current.Segments, segment] };
        }, cancellationToken);
        if (raced)
        {
            // Another compaction committed first: its segment holds (some of) these events.
            await segments.DeleteSegmentAsync(datasetGroup, DatasetType.Interactions, name, cancellationToken);
            return new CompactionResult(null, 0, null, 0);
        }

        var deleted = await events.DeleteEventsAsync(datasetGroup, through, cancellationToken);
        return new CompactionResult(name, rows, through, deleted);
    }
}
