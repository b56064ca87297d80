using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using Recsys.Core.Events;
using Recsys.Data.Schemas;

namespace Recsys.Storage.Events;

/// <summary>
/// <see cref="IDatasetRecordStore"/> on Table Storage: the items and users tables, partition = dataset group,
/// row = id, one typed column per schema field (<c>F_{FIELD}</c>) beside <c>Id</c> and <c>UpdatedAt</c>. A call's
/// records share the partition, so they are written in one transaction.
/// </summary>
public sealed class TableDatasetRecordStore(TableClient items, TableClient users) : IDatasetRecordStore
{
    private const string FieldPrefix = "F_";

    /// <inheritdoc />
    public Task UpsertAsync(string datasetGroup, DatasetType type, IReadOnlyList<DatasetRecord> records, CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, () => UpsertCoreAsync(datasetGroup, type, records, cancellationToken), cancellationToken);

    private async Task UpsertCoreAsync(string datasetGroup, DatasetType type, IReadOnlyList<DatasetRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var batch = new TableBatch();
        foreach (var record in records.Reverse().DistinctBy(r => r.Id).Reverse())
        {
            if (batch.IsFull)
            {
                throw new ArgumentException($"An upsert holds at most {TableBatch.MaxOperations} records.", nameof(records));
            }

            var entity = new TableEntity(datasetGroup, TableKeys.Escape(record.Id)) { ["Id"] = record.Id, ["UpdatedAt"] = record.UpdatedAt };
            foreach (var (field, value) in record.Fields)
            {
                if (value is not null)
                {
                    entity[FieldPrefix + field] = value;
                }
            }

            batch.Add(TableTransactionActionType.UpsertReplace, entity);
        }

        await batch.SubmitAsync(Table(type), cancellationToken);
    }

    /// <inheritdoc />
    public Task<DatasetRecord?> FindAsync(string datasetGroup, DatasetType type, string id, CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, () => FindCoreAsync(datasetGroup, type, id, cancellationToken), cancellationToken);

    private async Task<DatasetRecord?> FindCoreAsync(string datasetGroup, DatasetType type, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var row = await Table(type).GetEntityIfExistsAsync<TableEntity>(datasetGroup, TableKeys.Escape(id), cancellationToken: cancellationToken);
        return row.HasValue ? FromEntity(row.Value!) : null;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DatasetRecord> ReadAllAsync(string datasetGroup, DatasetType type, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entity in Table(type).QueryAsync<TableEntity>(e => e.PartitionKey == datasetGroup, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            yield return FromEntity(entity);
        }
    }

    /// <inheritdoc />
    public async Task<long> DeleteAsync(string datasetGroup, DatasetType type, IEnumerable<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var table = Table(type);
        long deleted = 0;
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            var response = await table.DeleteEntityAsync(datasetGroup, TableKeys.Escape(id), Azure.ETag.All, cancellationToken);
            deleted += response.Status == 404 ? 0 : 1;
        }

        return deleted;
    }

    private TableClient Table(DatasetType type) => type switch
    {
        DatasetType.Items => items,
        DatasetType.Users => users,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Only Items and Users records are put one by one."),
    };

    private static DatasetRecord FromEntity(TableEntity entity)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (column, value) in entity)
        {
            if (column.StartsWith(FieldPrefix, StringComparison.Ordinal))
            {
                fields[column[FieldPrefix.Length..]] = value;
            }
        }

        return new DatasetRecord(entity.GetString("Id"), fields, entity.GetDateTimeOffset("UpdatedAt") ?? entity.Timestamp ?? DateTimeOffset.MinValue);
    }
}
