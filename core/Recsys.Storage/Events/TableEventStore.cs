using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Recsys.Core.Events;

namespace Recsys.Storage.Events;

/// <summary>
/// <see cref="IEventStore"/> on Table Storage. Each user (or anonymous session) of a dataset group is one partition,
/// <c>{datasetGroup}|{userOrSessionId}</c>, holding a row per event (<c>event|{eventId}</c>) and one history row
/// (<c>history</c>) with the most recent events as JSON. An append writes its new events and the updated history in one
/// entity group transaction, the history guarded by its ETag: so a 2xx means everything is durable, the history never
/// misses a stored event, and concurrent appends for the same user retry instead of overwriting each other.
/// </summary>
/// <remarks>
/// Event ids are row keys, so an event is stored at most once per user or session: a retried call finds its events in
/// the history (or, for events older than the history keeps, gets a 409 from the transaction, finds which rows exist
/// with point reads, and sends the rest again).
/// <para>
/// Each dataset group has one more row, <c>{datasetGroup}</c> / <c>history-marks</c> (outside every user's partition):
/// its <see cref="HistoryMarks"/>, where a user's bucket is set before their history is first written. Writes of
/// marks are group-committed per instance, and this instance remembers what it stored, so only a user in a new bucket
/// costs a write. Histories stored without marks (by an earlier release) are marked by the reads of the group's marks,
/// which trust the row only once a scan finds none (<see cref="ReadHistoryMarksAsync"/>).
/// </para>
/// </remarks>
public sealed class TableEventStore(TableClient table, EventStoreOptions options, TimeProvider timeProvider) : IEventStore
{
    private const string HistoryRow = "history";
    private const string EventRowPrefix = "event|";
    private const string EventRowEnd = "event}";
    private const string HistoryColumn = "History";
    private const string HistoryChunksColumn = "HistoryChunks";
    private const string DeletedAtColumn = "DeletedAt";
    private const int ChunkChars = 30_000;
    private const string MarksRow = "history-marks";
    private const string MarksColumn = "Marks";
    private const string MarksCompleteColumn = "Complete";
    private const string MarksScanAfterColumn = "ScanAfter";
    private const string MarksBucketsColumn = "Buckets";
    private const int MarksMergeAttempts = 100;

    private readonly ConcurrentDictionary<string, GroupMarks> _marks = new(StringComparer.Ordinal);

    /// <summary>
    /// How long after a scan that found unmarked histories the next one waits (and the marks stay untrusted): longer
    /// than instances of an earlier release keep running during a rollout.
    /// </summary>
    public static readonly TimeSpan RescanDelay = TimeSpan.FromHours(1);

    /// <summary>The partition of a user's (or session's) events in a dataset group.</summary>
    public static string PartitionKey(string datasetGroup, string userOrSessionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetGroup);
        ArgumentException.ThrowIfNullOrEmpty(userOrSessionId);
        return datasetGroup + "|" + TableKeys.Escape(userOrSessionId);
    }

    /// <inheritdoc />
    public Task<EventAppendResult> AppendAsync(
        string datasetGroup, string userOrSessionId, IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, () => AppendCoreAsync(datasetGroup, userOrSessionId, events, cancellationToken), cancellationToken);

    private async Task<EventAppendResult> AppendCoreAsync(
        string datasetGroup, string userOrSessionId, IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count is 0 or >= TableBatch.MaxOperations)
        {
            throw new ArgumentException($"An append holds 1 to {TableBatch.MaxOperations - 1} events.", nameof(events));
        }

        if (events.Any(e => e.HistoryKey != userOrSessionId) || events.DistinctBy(e => e.EventId).Count() != events.Count)
        {
            throw new ArgumentException("The events of an append belong to one user or session and have distinct ids.", nameof(events));
        }

        var partition = PartitionKey(datasetGroup, userOrSessionId);
        await MarkAsync(datasetGroup, userOrSessionId, cancellationToken);
        var pending = events.ToList();
        for (var attempt = 0; ; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, HistoryRow, cancellationToken: cancellationToken);
            var history = current.HasValue ? current.Value : null;
            var entries = ReadHistory(history);
            var known = entries.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
            var fresh = pending.Where(e => !known.Contains(e.EventId)).ToList();
            if (fresh.Count == 0)
            {
                return new EventAppendResult(0, events.Count);
            }

            var now = timeProvider.GetUtcNow();
            var historyEntity = ToHistoryEntity(partition, userOrSessionId, Merge(entries, fresh), history?.GetDateTimeOffset(DeletedAtColumn));
            // One entity-group transaction: the new event rows and the history, conditional on the history's ETag.
            var batch = new TableBatch();
            foreach (var e in fresh)
            {
                batch.Add(TableTransactionActionType.Add, ToEntity(partition, e, now));
            }

            if (history is null)
            {
                batch.Add(TableTransactionActionType.Add, historyEntity);
            }
            else
            {
                batch.Add(TableTransactionActionType.UpdateReplace, historyEntity, history.ETag);
            }

            try
            {
                await batch.SubmitAsync(table, cancellationToken);
                return new EventAppendResult(fresh.Count, events.Count - fresh.Count);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < options.MaxConcurrencyRetries)
            {
                if (e.Status == 409)
                {
                    // An event row exists already (a retry of events the history no longer holds, or a concurrent
                    // duplicate), or another request created the history first: find out which, then try again.
                    var stored = await Task.WhenAll(fresh.Select(async f =>
                        (await table.GetEntityIfExistsAsync<TableEntity>(partition, EventRow(f.EventId), ["RowKey"], cancellationToken)).HasValue ? f.EventId : null));
                    var existing = stored.OfType<string>().ToHashSet(StringComparer.Ordinal);
                    pending.RemoveAll(p => existing.Contains(p.EventId));
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + (5 * Math.Min(attempt, 10)))), cancellationToken);
            }
        }
    }

    /// <inheritdoc />
    public Task<EventHistory> GetHistoryAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, () => GetHistoryCoreAsync(datasetGroup, userOrSessionId, cancellationToken), cancellationToken);

    private async Task<EventHistory> GetHistoryCoreAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(datasetGroup, userOrSessionId), HistoryRow, cancellationToken: cancellationToken);
        var entity = row.HasValue ? row.Value : null;
        return new EventHistory(userOrSessionId, ReadHistory(entity), entity?.GetDateTimeOffset(DeletedAtColumn));
    }

    /// <inheritdoc />
    /// <remarks>
    /// Null until the group's marks are complete. A row becomes complete when a scan of the group's histories finds
    /// none unmarked. A scan that finds some (data from a release without marks, or from an instance that lost its
    /// storage) marks them and waits <see cref="RescanDelay"/> before the next one, so that writers of an earlier release
    /// still draining during a rollout are gone before the marks are trusted.
    /// </remarks>
    public Task<HistoryMarks?> ReadHistoryMarksAsync(string datasetGroup, CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, () => ReadHistoryMarksCoreAsync(datasetGroup, cancellationToken), cancellationToken);

    private async Task<HistoryMarks?> ReadHistoryMarksCoreAsync(string datasetGroup, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetGroup);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(datasetGroup, MarksRow, cancellationToken: cancellationToken);
        var current = row.HasValue ? row.Value : null;
        if (current is not null && ReadMarks(current) is { } stored)
        {
            MarksOf(datasetGroup).Stored = stored;
            if (current.GetBoolean(MarksCompleteColumn) == true)
            {
                return stored;
            }

            if (current.GetDateTimeOffset(MarksScanAfterColumn) is { } after && timeProvider.GetUtcNow() < after)
            {
                return null;
            }
        }

        var found = new HistoryMarks();
        var histories = TableClient.CreateQueryFilter(
            $"PartitionKey ge {datasetGroup + "|"} and PartitionKey lt {datasetGroup + "}"} and RowKey eq {HistoryRow}");
        await foreach (var history in table.QueryAsync<TableEntity>(histories, maxPerPage: 1000, select: ["UserOrSessionId"], cancellationToken: cancellationToken))
        {
            if (history.GetString("UserOrSessionId") is { } user)
            {
                found.Add(user);
            }
        }

        var (merged, complete) = await MergeMarksAsync(datasetGroup, found, scanned: true, cancellationToken);
        return complete ? merged : null;
    }

    /// <summary>Stores the user's mark before their history is written (nothing to do when this instance knows it is stored).</summary>
    private Task MarkAsync(string datasetGroup, string userOrSessionId, CancellationToken cancellationToken)
    {
        var marks = MarksOf(datasetGroup);
        var bucket = HistoryMarks.Bucket(userOrSessionId);
        return marks.Stored.Contains(bucket) ? Task.CompletedTask : marks.Writer.AddAsync(bucket, cancellationToken);
    }

    private GroupMarks MarksOf(string datasetGroup) => _marks.GetOrAdd(datasetGroup, group => new GroupMarks(new GroupCommit<int>(async buckets =>
    {
        var add = new HistoryMarks();
        foreach (var bucket in buckets)
        {
            add.Set(bucket);
        }

        await MergeMarksAsync(group, add, scanned: false, CancellationToken.None);
    })));

    /// <summary>
    /// Adds <paramref name="add"/> to the group's stored marks, guarded by the row's ETag and tried again on a conflict.
    /// With <paramref name="scanned"/>, <paramref name="add"/> is every history of the group: the row becomes complete
    /// when none of them was unmarked, else a next scan is due after <see cref="RescanDelay"/>. Returns what was stored.
    /// </summary>
    private async Task<(HistoryMarks Merged, bool Complete)> MergeMarksAsync(string datasetGroup, HistoryMarks add, bool scanned, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(datasetGroup, MarksRow, cancellationToken: cancellationToken);
            var current = row.HasValue ? row.Value : null;

            // A row of another size (another release's bucket count) is rebuilt: it is not complete any more.
            var previous = current is null ? null : ReadMarks(current);
            var merged = previous ?? new HistoryMarks();
            var before = merged.Count;
            merged.UnionWith(add);
            var complete = previous is not null && current!.GetBoolean(MarksCompleteColumn) == true;
            var scanAfter = previous is null ? null : current!.GetDateTimeOffset(MarksScanAfterColumn);
            if (scanned)
            {
                // Without a row, any history found was written unmarked (a marked write stores the row first).
                complete = merged.Count == before;
                scanAfter = complete ? null : timeProvider.GetUtcNow() + RescanDelay;
            }

            var entity = new TableEntity(datasetGroup, MarksRow)
            {
                [MarksColumn] = merged.ToBytes(),
                [MarksBucketsColumn] = HistoryMarks.Buckets,
                [MarksCompleteColumn] = complete,
            };
            SetIfNotNull(entity, MarksScanAfterColumn, scanAfter);
            try
            {
                if (current is null)
                {
                    await table.AddEntityAsync(entity, cancellationToken);
                }
                else
                {
                    await table.UpdateEntityAsync(entity, current.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                MarksOf(datasetGroup).Stored = merged;
                return (merged, complete);
            }
            catch (RequestFailedException e) when ((e.Status == 412 || e.ErrorCode == "EntityAlreadyExists") && attempt < MarksMergeAttempts)
            {
                // Another instance stored marks meanwhile: merge with theirs (each round, one writer wins).
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + (5 * Math.Min(attempt, 10)))), cancellationToken);
            }
        }
    }

    /// <summary>The marks a row holds, or null when they are of another bucket count.</summary>
    private static HistoryMarks? ReadMarks(TableEntity row)
        => row.GetInt32(MarksBucketsColumn) == HistoryMarks.Buckets && row.GetBinary(MarksColumn) is { Length: HistoryMarks.ByteLength } bytes
            ? HistoryMarks.FromBytes(bytes)
            : null;

    /// <inheritdoc />
    public async IAsyncEnumerable<InteractionEvent> ReadAllAsync(
        string datasetGroup, DateTimeOffset? receivedAfter = null, DateTimeOffset? receivedThrough = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entity in table.QueryAsync<TableEntity>(EventsFilter(datasetGroup, receivedAfter, receivedThrough), maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            yield return FromEntity(entity);
        }
    }

    /// <inheritdoc />
    public Task<long> DeleteEventsAsync(string datasetGroup, DateTimeOffset receivedThrough, CancellationToken cancellationToken = default)
        => DeleteRowsAsync(EventsFilter(datasetGroup, null, receivedThrough), cancellationToken);

    /// <inheritdoc />
    public async Task<long> DeleteUserAsync(string datasetGroup, string userId, DateTimeOffset deletedAt, CancellationToken cancellationToken = default)
    {
        var partition = PartitionKey(datasetGroup, userId);
        await StorageFaults.GuardAsync(StorageFaults.Tables, () => MarkAsync(datasetGroup, userId, cancellationToken), cancellationToken);
        // The tombstone first: from this write on, serving sees an empty history marked deleted. A concurrent append
        // that read the old history fails its ETag check and merges into the tombstone instead.
        await table.UpsertEntityAsync(ToHistoryEntity(partition, userId, [], deletedAt), TableUpdateMode.Replace, cancellationToken);
        return await DeleteRowsAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {EventRowPrefix} and RowKey lt {EventRowEnd}"), cancellationToken);
    }

    /// <summary>Deletes the rows a filter selects, in transactions of one partition and at most 100 rows; returns how many went.</summary>
    private async Task<long> DeleteRowsAsync(string filter, CancellationToken cancellationToken)
    {
        long deleted = 0;
        var batch = new TableBatch();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            // Results come in partition order.
            if (batch.IsFull || (batch.PartitionKey is { } partition && row.PartitionKey != partition))
            {
                deleted += await DeleteAsync(batch, cancellationToken);
                batch = new TableBatch();
            }

            batch.Add(TableTransactionActionType.Delete, new TableEntity(row.PartitionKey, row.RowKey), ETag.All);
        }

        return deleted + await DeleteAsync(batch, cancellationToken);
    }

    private async Task<long> DeleteAsync(TableBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var actions = batch.Actions.ToArray();
        try
        {
            await batch.SubmitAsync(table, cancellationToken);
            return actions.Length;
        }
        catch (TableTransactionFailedException e) when (e.Status == 404)
        {
            // A row went meanwhile (another deletion or compaction): delete the rest one by one.
            long deleted = 0;
            foreach (var action in actions)
            {
                var response = await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, cancellationToken);
                deleted += response.Status == 404 ? 0 : 1;
            }

            return deleted;
        }
    }

    private static string EventsFilter(string datasetGroup, DateTimeOffset? receivedAfter, DateTimeOffset? receivedThrough)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetGroup);

        // '}' follows '|', so this range is exactly the partitions "{datasetGroup}|…" (group names have no '|').
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {datasetGroup + "|"} and PartitionKey lt {datasetGroup + "}"} and RowKey ge {EventRowPrefix} and RowKey lt {EventRowEnd}");
        if (receivedAfter is { } after)
        {
            filter += " and " + TableClient.CreateQueryFilter($"ReceivedAt gt {after}");
        }

        if (receivedThrough is { } through)
        {
            filter += " and " + TableClient.CreateQueryFilter($"ReceivedAt le {through}");
        }

        return filter;
    }

    private static string EventRow(string eventId) => EventRowPrefix + TableKeys.Escape(eventId);

    private static TableEntity ToEntity(string partition, InteractionEvent e, DateTimeOffset receivedAt)
    {
        var entity = new TableEntity(partition, EventRow(e.EventId))
        {
            ["EventId"] = e.EventId,
            ["EventType"] = e.EventType,
            ["ItemId"] = e.ItemId,
            ["SentAt"] = e.SentAt,
            ["Timestamp"] = e.SentAt.ToUnixTimeSeconds(),
            ["SessionId"] = e.SessionId,
            ["ReceivedAt"] = receivedAt,
        };
        SetIfNotNull(entity, "UserId", e.UserId);
        SetIfNotNull(entity, "EventValue", e.EventValue is { } value ? (double)value : null);
        SetIfNotNull(entity, "Properties", e.Properties);
        SetIfNotNull(entity, "RecommendationId", e.RecommendationId);
        SetIfNotNull(entity, "Impression", e.Impression is null ? null : JsonSerializer.Serialize(e.Impression.ToArray(), EventStoreJson.Default.StringArray));
        SetIfNotNull(entity, "EventAttributionSource", e.EventAttributionSource);
        return entity;
    }

    private static InteractionEvent FromEntity(TableEntity entity)
    {
        var impression = entity.GetString("Impression");
        return new InteractionEvent(
            entity.GetString("EventId"),
            entity.GetString("EventType"),
            entity.GetString("ItemId"),
            entity.GetDateTimeOffset("SentAt") ?? DateTimeOffset.FromUnixTimeSeconds(entity.GetInt64("Timestamp") ?? 0),
            entity.GetString("UserId"),
            entity.GetString("SessionId"),
            entity.GetDouble("EventValue") is { } value ? (float)value : null,
            entity.GetString("Properties"),
            entity.GetString("RecommendationId"),
            impression is null ? null : JsonSerializer.Deserialize(impression, EventStoreJson.Default.StringArray),
            entity.GetString("EventAttributionSource"));
    }

    private static void SetIfNotNull(TableEntity entity, string column, object? value)
    {
        if (value is not null)
        {
            entity[column] = value;
        }
    }

    private List<HistoryEvent> Merge(List<HistoryEvent> entries, List<InteractionEvent> fresh)
    {
        // Ordered by time (stable, so equal times keep arrival order), newest last, at most HistoryLength.
        var merged = entries
            .Concat(fresh.Select(e => new HistoryEvent(e.EventId, e.ItemId, e.EventType, e.EventValue, e.SentAt, e.RecommendationId, e.Impression)))
            .OrderBy(e => e.Timestamp)
            .ToList();
        if (merged.Count > options.HistoryLength)
        {
            merged.RemoveRange(0, merged.Count - options.HistoryLength);
        }

        return merged;
    }

    private TableEntity ToHistoryEntity(string partition, string userOrSessionId, List<HistoryEvent> entries, DateTimeOffset? deletedAt)
    {
        var json = JsonSerializer.Serialize(entries, EventStoreJson.Default.ListHistoryEvent);
        while (json.Length > options.MaxHistoryCharacters && entries.Count > 1)
        {
            // Long impressions: drop the oldest quarter until it fits.
            entries.RemoveRange(0, Math.Max(1, entries.Count / 4));
            json = JsonSerializer.Serialize(entries, EventStoreJson.Default.ListHistoryEvent);
        }

        var entity = new TableEntity(partition, HistoryRow) { ["UserOrSessionId"] = userOrSessionId, ["Count"] = entries.Count };
        SetIfNotNull(entity, DeletedAtColumn, deletedAt);
        if (json.Length <= ChunkChars)
        {
            entity[HistoryColumn] = json;
            return entity;
        }

        var chunks = (json.Length + ChunkChars - 1) / ChunkChars;
        entity[HistoryChunksColumn] = chunks;
        for (var i = 0; i < chunks; i++)
        {
            entity[HistoryColumn + i.ToString(CultureInfo.InvariantCulture)] = json.Substring(i * ChunkChars, Math.Min(ChunkChars, json.Length - (i * ChunkChars)));
        }

        return entity;
    }

    private static List<HistoryEvent> ReadHistory(TableEntity? entity)
    {
        if (entity is null)
        {
            return [];
        }

        string? json;
        if (entity.GetInt32(HistoryChunksColumn) is int chunks)
        {
            var builder = new StringBuilder(chunks * ChunkChars);
            for (var i = 0; i < chunks; i++)
            {
                builder.Append(entity.GetString(HistoryColumn + i.ToString(CultureInfo.InvariantCulture)));
            }

            json = builder.ToString();
        }
        else
        {
            json = entity.GetString(HistoryColumn);
        }

        return json is null ? [] : JsonSerializer.Deserialize(json, EventStoreJson.Default.ListHistoryEvent) ?? [];
    }

    /// <summary>
    /// A group's marks as this instance last read or wrote them (replaced each time, so a lost row is noticed), and the
    /// group commit that stores new ones.
    /// </summary>
    private sealed class GroupMarks(GroupCommit<int> writer)
    {
        public GroupCommit<int> Writer { get; } = writer;

        public HistoryMarks Stored { get; set; } = new();
    }
}
