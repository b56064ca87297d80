using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Recsys.Core.Events;

namespace Recsys.Storage.Events;

/// <summary>
/// <see cref="IHistoryChangeFeed"/> on Table Storage: one partition of the history-changes table, a row per publish
/// (or a few, for large ones) holding the changed (dataset group, user) pairs. Readers page by the service's own
/// <c>Timestamp</c>, so instances' clocks do not matter; each read goes back a margin before the newest row it saw
/// (a transaction stamped earlier may become visible a little later) and skips rows it has read. Rows older than
/// <see cref="Retention"/> are deleted by the readers every few minutes.
/// </summary>
public sealed class TableHistoryChangeFeed : IHistoryChangeFeed
{
    /// <summary>How long a change is kept: longer than a followed cache keeps an entry or trusts its marks without following.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(15);

    private const string Partition = "changes";
    private const string ChangesColumn = "Changes";
    private const int ChunkChars = 30_000;

    // A transaction's body must stay under 4 MiB, and the column's JSON is escaped again in it.
    private const int TransactionChars = 2_000_000;
    private static readonly TimeSpan s_margin = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_startBack = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_cleanEvery = TimeSpan.FromMinutes(5);

    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private DateTimeOffset _since;
    private DateTimeOffset _nextClean;

    /// <summary>A feed on <paramref name="table"/>; this object reads from the moment it is created.</summary>
    public TableHistoryChangeFeed(TableClient table, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(time);
        _table = table;
        _time = time;
        // Starts a minute back: the service stamps rows by its own clock, and this instance's may run ahead of it.
        _since = time.GetUtcNow() - s_startBack;
        _nextClean = time.GetUtcNow() + s_cleanEvery;
    }

    /// <inheritdoc />
    public Task PublishAsync(IReadOnlyCollection<(string DatasetGroup, string User)> changed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changed);
        return changed.Count == 0
            ? Task.CompletedTask
            : StorageFaults.GuardAsync(StorageFaults.Tables, () => PublishCoreAsync(changed, cancellationToken), cancellationToken);
    }

    private async Task PublishCoreAsync(IReadOnlyCollection<(string DatasetGroup, string User)> changed, CancellationToken cancellationToken)
    {
        // Row keys sort by the publisher's clock only for readability; readers go by the service's Timestamp.
        var prefix = _time.GetUtcNow().UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N");
        var batch = new TableBatch();
        var chars = 0;
        var rows = Columns(changed).ToList();
        for (var r = 0; r < rows.Count; r++)
        {
            if (batch.IsFull || chars + rows[r].Length > TransactionChars)
            {
                await batch.SubmitAsync(_table, cancellationToken);
                chars = 0;
            }

            batch.Add(TableTransactionActionType.Add, new TableEntity(Partition, $"{prefix}-{r:D6}") { [ChangesColumn] = rows[r] });
            chars += rows[r].Length;
        }

        await batch.SubmitAsync(_table, cancellationToken);
    }

    /// <summary>The changes as the JSON columns of as many rows as they need (a string column holds 32 K characters).</summary>
    private static IEnumerable<string> Columns(IReadOnlyCollection<(string DatasetGroup, string User)> changed)
    {
        var chunk = new List<string>();
        var chars = 0;
        foreach (var (group, user) in changed)
        {
            // The pair's own JSON bounds what it adds to the row's (escapes included).
            var length = JsonSerializer.Serialize([group, user], EventStoreJson.Default.StringArray).Length;
            if (chars + length > ChunkChars && chunk.Count > 0)
            {
                yield return JsonSerializer.Serialize(chunk.ToArray(), EventStoreJson.Default.StringArray);
                chunk.Clear();
                chars = 0;
            }

            chunk.Add(group);
            chunk.Add(user);
            chars += length;
        }

        yield return JsonSerializer.Serialize(chunk.ToArray(), EventStoreJson.Default.StringArray);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(string DatasetGroup, string User)>> ReadNewAsync(CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, () => ReadCoreAsync(cancellationToken), cancellationToken);

    private async Task<IReadOnlyList<(string DatasetGroup, string User)>> ReadCoreAsync(CancellationToken cancellationToken)
    {
        var changes = new List<(string, string)>();
        var read = new List<(string RowKey, DateTimeOffset Stamp)>();
        var newest = _since;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Timestamp ge {_since}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            var stamp = row.Timestamp ?? _since;
            newest = stamp > newest ? stamp : newest;
            if (_seen.ContainsKey(row.RowKey))
            {
                continue;
            }

            read.Add((row.RowKey, stamp));

            var pairs = JsonSerializer.Deserialize(row.GetString(ChangesColumn) ?? "[]", EventStoreJson.Default.StringArray) ?? [];
            for (var i = 0; i + 1 < pairs.Length; i += 2)
            {
                changes.Add((pairs[i], pairs[i + 1]));
            }
        }

        // Only a read that went through moves the position: a failed one is read again whole.
        foreach (var (rowKey, stamp) in read)
        {
            _seen[rowKey] = stamp;
        }

        // Next time, read again from a margin before the newest row: rows stamped before it may still appear.
        var since = newest - s_margin;
        if (since > _since)
        {
            _since = since;
            foreach (var key in _seen.Where(s => s.Value < since).Select(s => s.Key).ToList())
            {
                _seen.Remove(key);
            }
        }

        if (_time.GetUtcNow() >= _nextClean)
        {
            _nextClean = _time.GetUtcNow() + s_cleanEvery;
            try
            {
                await CleanAsync(cancellationToken);
            }
            catch (Exception e) when (e is RequestFailedException || StorageFaults.IsTransient(e, cancellationToken))
            {
                // Best effort: old rows are only read past, and the next clean-up takes them.
            }
        }

        return changes;
    }

    /// <summary>Deletes rows older than the retention (any instance may; a row another one deleted first is skipped).</summary>
    private async Task CleanAsync(CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Timestamp lt {_time.GetUtcNow() - Retention}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await _table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
        }
    }
}
