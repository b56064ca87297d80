using Azure.Data.Tables;
using Recsys.Core.Datasets;
using Recsys.Storage.Events;

namespace Recsys.Storage;

/// <summary><see cref="IDeletedUsers"/> on Table Storage: partition = dataset group, row = escaped user id.</summary>
public sealed class TableDeletedUsers(TableClient table) : IDeletedUsers
{
    /// <inheritdoc />
    public async Task AddAsync(string datasetGroup, IReadOnlyCollection<string> userIds, DateTimeOffset deletedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        foreach (var chunk in userIds.Distinct(StringComparer.Ordinal).Chunk(TableBatch.MaxOperations))
        {
            var batch = new TableBatch();
            foreach (var user in chunk)
            {
                batch.Add(TableTransactionActionType.UpsertReplace, new TableEntity(datasetGroup, TableKeys.Escape(user)) { ["UserId"] = user, ["DeletedAt"] = deletedAt });
            }

            await batch.SubmitAsync(table, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<UserDeletions> ReadAllAsync(string datasetGroup, CancellationToken cancellationToken = default)
    {
        var all = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == datasetGroup, maxPerPage: 1000, select: ["UserId", "DeletedAt"], cancellationToken: cancellationToken))
        {
            all[entity.GetString("UserId")] = entity.GetDateTimeOffset("DeletedAt") ?? DateTimeOffset.MaxValue;
        }

        return all.Count == 0 ? UserDeletions.None : new UserDeletions(all);
    }
}
