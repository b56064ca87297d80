using Recsys.Data.Schemas;

namespace Recsys.Core.Events;

/// <summary>An item or user record sent with PutItems or PutUsers, its fields checked against the dataset's schema.</summary>
/// <param name="Id">The ITEM_ID or USER_ID.</param>
/// <param name="Fields">
/// Values by schema field name (e.g. <c>CATEGORY_L1</c>): <see cref="string"/>, <see cref="long"/>, <see cref="int"/>,
/// <see cref="double"/> (float and double fields) or <see cref="bool"/> as the field's type says, or null.
/// </param>
/// <param name="UpdatedAt">When the record was last put.</param>
public sealed record DatasetRecord(string Id, IReadOnlyDictionary<string, object?> Fields, DateTimeOffset UpdatedAt);

/// <summary>
/// Persistence seam for items and users put one by one (PutItems, PutUsers): the newest record per id, per dataset
/// group and dataset type.
/// </summary>
public interface IDatasetRecordStore
{
    /// <summary>Inserts or replaces the records, all or none (a later record with the same id replaces an earlier one).</summary>
    Task UpsertAsync(string datasetGroup, DatasetType type, IReadOnlyList<DatasetRecord> records, CancellationToken cancellationToken = default);

    /// <summary>The record with <paramref name="id"/>, or null.</summary>
    Task<DatasetRecord?> FindAsync(string datasetGroup, DatasetType type, string id, CancellationToken cancellationToken = default);

    /// <summary>Every record of the dataset group's Items or Users put so far.</summary>
    IAsyncEnumerable<DatasetRecord> ReadAllAsync(string datasetGroup, DatasetType type, CancellationToken cancellationToken = default);

    /// <summary>Deletes the records with these ids; returns how many existed.</summary>
    Task<long> DeleteAsync(string datasetGroup, DatasetType type, IEnumerable<string> ids, CancellationToken cancellationToken = default);
}
