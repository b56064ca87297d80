using Recsys.Core.DatasetGroups;
using Recsys.Core.Errors;
using Recsys.Core.Resources;
using Recsys.Core.Schemas;
using Recsys.Data.Schemas;

namespace Recsys.Core.Datasets;

/// <summary>Use cases for datasets: create, describe, list and delete.</summary>
public sealed class DatasetService(
    IResourceStore<Dataset> store,
    IResourceStore<DatasetGroup> groups,
    IResourceStore<Schema> schemas,
    IDatasetSegmentStore segments,
    TimeProvider timeProvider)
{
    /// <summary>Creates a dataset of <paramref name="datasetType"/> in a dataset group, bound to a schema of that type.</summary>
    public async Task<Stored<Dataset>> CreateAsync(
        string? name, string? datasetGroupArn, string? datasetType, string? schemaArn,
        IReadOnlyDictionary<string, string>? columnMapping, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (ResourceName.Problem(name) is { } nameProblem)
        {
            errors["name"] = [nameProblem];
        }

        var type = Dataset.ParseType(datasetType);
        if (type is null)
        {
            errors["datasetType"] = ["datasetType must be Interactions, Items or Users."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException("The dataset request is invalid.", errors);
        }

        var group = await groups.GetAsync(
            IResourceStore<DatasetGroup>.GlobalScope, ResourceArn.Resolve(DatasetGroup.ResourceType, datasetGroupArn, "datasetGroupArn"), "dataset group", cancellationToken);
        var schema = await schemas.GetAsync(
            IResourceStore<Schema>.GlobalScope, ResourceArn.Resolve(Schema.ResourceType, schemaArn, "schemaArn"), "schema", cancellationToken);
        if (schema.Value.DatasetType != type)
        {
            throw new InvalidInputException("schemaArn", $"The schema '{schema.Value.Name}' is for {schema.Value.DatasetType} datasets, not {type}.");
        }

        if (columnMapping is not null)
        {
            var parsed = schema.Value.Parse();
            var unknown = columnMapping.Values.Where(f => parsed.FindField(f) is null).ToArray();
            if (unknown.Length > 0)
            {
                throw new InvalidInputException("columnMapping", $"The schema '{schema.Value.Name}' has no field {string.Join(", ", unknown)}.");
            }
        }

        var dataset = new Dataset(name!, group.Value.Name, type!.Value, schema.Value.Name, ResourceState.New(ResourceStatus.Active, timeProvider.GetUtcNow()), columnMapping);
        try
        {
            return await store.CreateAsync(group.Value.Name, dataset.Key, dataset, cancellationToken);
        }
        catch (ResourceAlreadyExistsException)
        {
            throw new ResourceAlreadyExistsException("dataset", $"{group.Value.Name}/{dataset.Key}");
        }
    }

    /// <summary>Reads a dataset by ARN (<c>…:dataset/{group}/{TYPE}</c>) or <c>{group}/{TYPE}</c>.</summary>
    public async Task<Stored<Dataset>> DescribeAsync(string? datasetArn, CancellationToken cancellationToken = default)
    {
        var (group, type) = ParseIdentifier(datasetArn);
        return await store.GetAsync(group, Dataset.TypeKey(type), "dataset", cancellationToken);
    }

    /// <summary>Finds the dataset of <paramref name="type"/> in a group, or null.</summary>
    public async Task<Dataset?> FindAsync(string datasetGroup, DatasetType type, CancellationToken cancellationToken = default)
        => (await store.FindAsync(datasetGroup, Dataset.TypeKey(type), cancellationToken))?.Value;

    /// <summary>Lists the datasets of a dataset group.</summary>
    public async Task<ResourcePage<Dataset>> ListAsync(string? datasetGroupArn, int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
    {
        var group = ResourceArn.Resolve(DatasetGroup.ResourceType, datasetGroupArn, "datasetGroupArn");
        return await store.ListAsync(group, Paging.PageSize(maxResults), nextToken, cancellationToken);
    }

    /// <summary>The ARN of a dataset that uses the schema, or null.</summary>
    public async Task<string?> FindUserOfSchemaAsync(string schemaArn, CancellationToken cancellationToken = default)
    {
        string? groupToken = null;
        do
        {
            var page = await groups.ListAsync(IResourceStore<DatasetGroup>.GlobalScope, Paging.MaxPageSize, groupToken, cancellationToken);
            foreach (var group in page.Items)
            {
                var datasets = await store.ListAsync(group.Name, Paging.MaxPageSize, null, cancellationToken);
                var user = datasets.Items.FirstOrDefault(d => d.SchemaArn == schemaArn);
                if (user is not null)
                {
                    return user.Arn;
                }
            }

            groupToken = page.NextToken;
        }
        while (groupToken is not null);

        return null;
    }

    /// <summary>Deletes a dataset and all of its imported data.</summary>
    public async Task DeleteAsync(string? datasetArn, CancellationToken cancellationToken = default)
    {
        var stored = await DescribeAsync(datasetArn, cancellationToken);
        var dataset = stored.Value;
        var deleting = dataset with { State = dataset.State.MoveTo("dataset", dataset.Arn, ResourceStatus.DeletePending, timeProvider.GetUtcNow()) };
        var marked = await store.ReplaceAsync(dataset.DatasetGroup, dataset.Key, deleting, stored.ETag, cancellationToken);
        await segments.DeleteAllAsync(dataset.DatasetGroup, dataset.DatasetType, cancellationToken);
        await store.DeleteAsync(dataset.DatasetGroup, dataset.Key, marked.ETag, cancellationToken);
    }

    /// <summary>Splits a dataset identifier into group and type.</summary>
    public static (string Group, DatasetType Type) ParseIdentifier(string? datasetArn)
    {
        var path = ResourceArn.ResolvePath(Dataset.ResourceType, datasetArn, "datasetArn", 2);
        var type = Dataset.ParseType(path[1]);
        if (type is null)
        {
            throw new InvalidInputException("datasetArn", $"'{path[1]}' is not a dataset type: expected '{{datasetGroup}}/{{INTERACTIONS|ITEMS|USERS}}' or its ARN.");
        }

        return (path[0], type.Value);
    }
}
