using System.Globalization;
using System.Runtime.CompilerServices;
using Recsys.Core.Datasets;
using Recsys.Core.Events;
using Recsys.Core.Filters;
using Recsys.Core.Resources;
using Recsys.Core.Schemas;
using Recsys.Core.Solutions;
using Recsys.Data.Schemas;
using Recsys.Data.Segments;

namespace Recsys.Core.Runtime;

/// <summary>
/// What serving knows about a dataset group's items and users: attribute indexes aligned with a model's item
/// indexes (for filters, exploration and metadata), built from the imported Items / Users segments and the records
/// sent with PutItems / PutUsers.
/// </summary>
public sealed class ItemCatalog
{
    internal ItemCatalog(InMemoryAttributeIndex? items, DatasetSchema? itemSchema, InMemoryAttributeIndex? users, DateTimeOffset builtAt)
    {
        Items = items;
        ItemSchema = itemSchema;
        Users = users;
        BuiltAt = builtAt;
    }

    /// <summary>Item attributes (row = model item index for the model's items), or null without an Items dataset.</summary>
    public InMemoryAttributeIndex? Items { get; }

    /// <summary>The Items dataset's schema.</summary>
    public DatasetSchema? ItemSchema { get; }

    /// <summary>User attributes, or null without a Users dataset.</summary>
    public InMemoryAttributeIndex? Users { get; }

    /// <summary>When it was built.</summary>
    public DateTimeOffset BuiltAt { get; }

    /// <summary>
    /// Rows with a creation time, newest first, with their creation times (epoch seconds): exploration walks it until
    /// items get older than its cut-off, so its work is bounded by the number of new items, not the catalogue.
    /// </summary>
    public (int[] Rows, double[] Created) NewestFirst => _newestFirst ??= SortByCreation();

    private (int[] Rows, double[] Created)? _newestFirst;

    private (int[] Rows, double[] Created) SortByCreation()
    {
        var rows = new List<int>();
        var created = new List<double>();
        for (var row = 0; row < (Items?.Count ?? 0); row++)
        {
            if (TryGetCreation(row, out var seconds))
            {
                rows.Add(row);
                created.Add(seconds);
            }
        }

        var rowArray = rows.ToArray();
        var createdArray = created.ToArray();
        Array.Sort(createdArray, rowArray);
        Array.Reverse(createdArray);
        Array.Reverse(rowArray);
        return (rowArray, createdArray);
    }

    /// <summary>The item's creation time in epoch seconds, when known.</summary>
    public bool TryGetCreation(int row, out double epochSeconds)
    {
        epochSeconds = 0;
        return Items?.FindNumeric(ReservedFields.CreationTimestamp) is { } created && row < created.RowCount && created.TryGetValue(row, out epochSeconds);
    }

    /// <summary>
    /// Throws <see cref="Errors.InvalidInputException"/> naming <c>metadataColumns</c> and every column of
    /// <paramref name="columns"/> that the Items schema does not have (an unknown column would otherwise silently return nothing).
    /// </summary>
    public void EnsureMetadataColumns(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var unknown = columns.Where(c => ItemSchema?.FindField(c) is null).ToArray();
        if (unknown.Length == 0)
        {
            return;
        }

        var quoted = string.Join(", ", unknown.Take(10).Select(c => "'" + (c.Length > 64 ? c[..64] + "…" : c) + "'"));
        throw new Errors.InvalidInputException("metadataColumns", ItemSchema is null
            ? $"The dataset group has no Items dataset, so it has no metadata column {quoted}."
            : $"The Items schema has no column {quoted}; it has {string.Join(", ", ItemSchema.Fields.Select(f => f.Name))}.");
    }

    /// <summary>The requested metadata columns of an item (categorical values joined with '|').</summary>
    public IReadOnlyDictionary<string, string>? Metadata(string itemId, IReadOnlyList<string> columns)
    {
        if (Items is null || !Items.TryGetIndex(itemId, out var row))
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (Items.FindCategorical(column) is { } categorical && row < categorical.RowCount)
            {
                var texts = categorical.ValuesAt(row);
                if (texts.Count > 0)
                {
                    values[column] = string.Join('|', texts);
                }
            }
            else if (Items.FindNumeric(column) is { } numeric && row < numeric.RowCount && numeric.TryGetValue(row, out var number))
            {
                values[column] = number.ToString(CultureInfo.InvariantCulture);
            }
        }

        return values;
    }
}

/// <summary>
/// Builds and caches an <see cref="ItemCatalog"/> per dataset group and model. A catalog older than the refresh
/// interval is rebuilt in the background while the old one keeps serving, so PutItems changes reach filters within
/// about a minute and no request waits for a rebuild after the first.
/// </summary>
public sealed class ItemCatalogs(
    IDatasetSegmentStore segments,
    IDatasetRecordStore records,
    IResourceStore<Dataset> datasets,
    IResourceStore<Schema> schemas,
    TimeProvider time,
    TimeSpan? refreshInterval = null)
{
    /// <summary>Default age after which a catalog is rebuilt.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromSeconds(60);

    /// <summary>How old a catalog may get before it is rebuilt.</summary>
    public TimeSpan RefreshInterval { get; } = refreshInterval ?? DefaultRefreshInterval;

    private readonly ConditionalWeakTable<SolutionModel, Entry> _entries = [];

    /// <summary>The catalog for a model of <paramref name="datasetGroup"/>.</summary>
    public async Task<ItemCatalog> GetAsync(string datasetGroup, SolutionModel model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entry = _entries.GetValue(model, _ => new Entry());
        var current = entry.Current;
        if (current is null)
        {
            await entry.Gate.WaitAsync(cancellationToken);
            try
            {
                entry.Current ??= await BuildAsync(datasetGroup, model, cancellationToken);
                return entry.Current;
            }
            finally
            {
                entry.Gate.Release();
            }
        }

        if (time.GetUtcNow() - current.BuiltAt > RefreshInterval && entry.Gate.Wait(0, CancellationToken.None))
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    entry.Current = await BuildAsync(datasetGroup, model, CancellationToken.None);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Keep serving the previous catalog; the next request tries again.
                }
                finally
                {
                    entry.Gate.Release();
                }
            }, CancellationToken.None);
        }

        return current;
    }

    private async Task<ItemCatalog> BuildAsync(string datasetGroup, SolutionModel model, CancellationToken cancellationToken)
    {
        var (items, itemSchema) = await BuildIndexAsync(datasetGroup, DatasetType.Items, ReservedFields.ItemId, model.ItemIds, cancellationToken);
        var (users, _) = await BuildIndexAsync(datasetGroup, DatasetType.Users, ReservedFields.UserId, null, cancellationToken);
        return new ItemCatalog(items, itemSchema, users, time.GetUtcNow());
    }

    private async Task<(InMemoryAttributeIndex? Index, DatasetSchema? Schema)> BuildIndexAsync(
        string datasetGroup, DatasetType type, string idField, IEnumerable<string>? knownIds, CancellationToken cancellationToken)
    {
        var dataset = await datasets.FindAsync(datasetGroup, Dataset.TypeKey(type), cancellationToken);
        if (dataset is null)
        {
            return (null, null);
        }

        var schema = (await schemas.GetAsync(IResourceStore<Schema>.GlobalScope, dataset.Value.SchemaName, "schema", cancellationToken)).Value.Parse();
        var builder = new AttributeIndexBuilder(idField, knownIds);
        var manifest = await segments.ReadManifestAsync(datasetGroup, type, cancellationToken);
        foreach (var segment in manifest.Segments)
        {
            await using var stream = await segments.OpenSegmentReadAsync(datasetGroup, type, segment.Name, cancellationToken);
            await using var reader = await ParquetSegmentReader.OpenAsync(stream, cancellationToken);
            await foreach (var batch in reader.ReadBatchesAsync(null, cancellationToken))
            {
                builder.Add(batch);
            }
        }

        await foreach (var record in records.ReadAllAsync(datasetGroup, type, cancellationToken))
        {
            builder.Add(record.Id, record.Fields, schema);
        }

        return (builder.Build(), schema);
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public ItemCatalog? Current { get; set; }
    }
}
