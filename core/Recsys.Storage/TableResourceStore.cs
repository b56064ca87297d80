using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure;
using Azure.Data.Tables;
using Recsys.Core.Errors;
using Recsys.Core.Resources;

namespace Recsys.Storage;

/// <summary>
/// <see cref="IResourceStore{T}"/> on Table Storage: one table per kind of resource, PartitionKey = scope,
/// RowKey = name, the resource as a JSON document (split over several properties when longer than a table string
/// may be), and its status in its own column for queries. Concurrency is the entity ETag.
/// </summary>
public sealed class TableResourceStore<T> : IResourceStore<T>
    where T : class, IResource
{
    // Azure allows 64 KiB strings (32K UTF-16 chars); Azurite enforces 32K chars. Stay below both.
    private const int ChunkChars = 30_000;
    private const int MaxChunks = 200;
    private const string StatusColumn = "Status";
    private const string DocumentColumn = "Document";
    private const string ChunksColumn = "DocumentChunks";

    private readonly TableClient _table;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly string _resourceType;

    /// <summary>Creates a store over <paramref name="table"/> for resources described as <paramref name="resourceType"/> in errors.</summary>
    public TableResourceStore(TableClient table, JsonTypeInfo<T> typeInfo, string resourceType)
    {
        _table = table;
        _typeInfo = typeInfo;
        _resourceType = resourceType;
    }

    /// <inheritdoc />
    public Task<Stored<T>> CreateAsync(string scope, string name, T resource, CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, async () =>
        {
            var entity = ToEntity(scope, name, resource);
            try
            {
                var response = await _table.AddEntityAsync(entity, cancellationToken);
                return new Stored<T>(resource, response.Headers.ETag?.ToString() ?? string.Empty);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                throw new ResourceAlreadyExistsException(_resourceType, name);
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task<Stored<T>?> FindAsync(string scope, string name, CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, async () =>
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(scope, name, cancellationToken: cancellationToken);
            return response.HasValue ? FromEntity(response.Value!) : null;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<Stored<T>> ReplaceAsync(string scope, string name, T resource, string etag, CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, async () =>
        {
            var entity = ToEntity(scope, name, resource);
            try
            {
                var response = await _table.UpdateEntityAsync(entity, new ETag(etag), TableUpdateMode.Replace, cancellationToken);
                return new Stored<T>(resource, response.Headers.ETag?.ToString() ?? string.Empty);
            }
            catch (RequestFailedException e) when (!StorageFaults.IsTransient(e, cancellationToken))
            {
                throw Translate(e, name);
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(string scope, string name, string? etag, CancellationToken cancellationToken = default)
        => StorageFaults.GuardAsync(StorageFaults.Tables, async () =>
        {
            try
            {
                var response = await _table.DeleteEntityAsync(scope, name, etag is null ? ETag.All : new ETag(etag), cancellationToken);
                if (response.Status == 404)
                {
                    throw new ResourceNotFoundException(_resourceType, name);
                }
            }
            catch (RequestFailedException e) when (!StorageFaults.IsTransient(e, cancellationToken))
            {
                throw Translate(e, name);
            }
        }, cancellationToken);

    /// <inheritdoc />
    public Task<ResourcePage<T>> ListAsync(string scope, int maxResults, string? nextToken, CancellationToken cancellationToken = default)
    {
        // The token is checked before anything is sent; it is bound to this table and scope.
        var continuation = PageToken.Decode(_table.Name + "/" + scope, nextToken);
        return StorageFaults.GuardAsync(StorageFaults.Tables, () => ListFromAsync(scope, maxResults, continuation, cancellationToken), cancellationToken);
    }

    private async Task<ResourcePage<T>> ListFromAsync(string scope, int maxResults, string? continuation, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {scope}");
        var items = new List<T>(maxResults);
        string? next = continuation;

        // A table query page may hold fewer rows than asked (even none) and still continue: keep reading.
        do
        {
            var pages = _table.QueryAsync<TableEntity>(filter, maxPerPage: maxResults - items.Count, cancellationToken: cancellationToken)
                .AsPages(next, maxResults - items.Count);
            Page<TableEntity>? page = null;
            await foreach (var p in pages)
            {
                page = p;
                break;
            }

            if (page is null)
            {
                next = null;
                break;
            }

            items.AddRange(page.Values.Select(e => FromEntity(e).Value));
            next = page.ContinuationToken;
        }
        while (next is not null && items.Count < maxResults);

        return new ResourcePage<T>(items, PageToken.Encode(_table.Name + "/" + scope, next));
    }

    private TableEntity ToEntity(string scope, string name, T resource)
    {
        var json = JsonSerializer.Serialize(resource, _typeInfo);
        var entity = new TableEntity(scope, name) { [StatusColumn] = resource.State.Status };
        var chunks = (json.Length + ChunkChars - 1) / ChunkChars;
        if (chunks > MaxChunks)
        {
            throw new LimitExceededException($"The {_resourceType} '{name}' is too large to store ({json.Length} characters).");
        }

        if (chunks <= 1)
        {
            entity[DocumentColumn] = json;
            return entity;
        }

        entity[ChunksColumn] = chunks;
        for (var i = 0; i < chunks; i++)
        {
            entity[DocumentColumn + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] =
                json.Substring(i * ChunkChars, Math.Min(ChunkChars, json.Length - (i * ChunkChars)));
        }

        return entity;
    }

    private Stored<T> FromEntity(TableEntity entity)
    {
        string json;
        if (entity.GetInt32(ChunksColumn) is int chunks)
        {
            var builder = new StringBuilder();
            for (var i = 0; i < chunks; i++)
            {
                builder.Append(entity.GetString(DocumentColumn + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            json = builder.ToString();
        }
        else
        {
            json = entity.GetString(DocumentColumn) ?? throw new InvalidDataException(
                $"The stored {_resourceType} '{entity.RowKey}' has no document.");
        }

        var value = JsonSerializer.Deserialize(json, _typeInfo)
            ?? throw new InvalidDataException($"The stored {_resourceType} '{entity.RowKey}' is empty.");
        return new Stored<T>(value, entity.ETag.ToString());
    }

    private RecsysException Translate(RequestFailedException e, string name) => e.Status switch
    {
        404 => new ResourceNotFoundException(_resourceType, name),
        409 or 412 => new PreconditionFailedException(
            $"The {_resourceType} '{name}' was changed by another request; read it again and retry."),
        _ => throw new InvalidOperationException($"Table storage failed for {_resourceType} '{name}': {e.Message}", e),
    };
}
