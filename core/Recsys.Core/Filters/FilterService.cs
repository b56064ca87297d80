using Recsys.Core.DatasetGroups;
using Recsys.Core.Datasets;
using Recsys.Core.Errors;
using Recsys.Core.Resources;
using Recsys.Core.Schemas;
using Recsys.Data.Schemas;

namespace Recsys.Core.Filters;

/// <summary>
/// Use cases for filters: create (parsed, checked against the dataset group's schemas and Personalize's limits),
/// describe, list and delete. A filter needs no provisioning, so it is ACTIVE as soon as it is created.
/// </summary>
public sealed class FilterService(
    IResourceStore<Filter> store,
    IResourceStore<DatasetGroup> groups,
    IResourceStore<Dataset> datasets,
    IResourceStore<Schema> schemas,
    TimeProvider timeProvider)
{
    private const string Scope = IResourceStore<Filter>.GlobalScope;
    private const string Kind = "filter";

    /// <summary>Creates a filter in a dataset group.</summary>
    /// <exception cref="InvalidInputException">Invalid name or expression (a syntax error names its offset and token), or the expression does not fit the schemas.</exception>
    /// <exception cref="LimitExceededException">The dataset group has the most filters, or the most distinct filter fields, it may have.</exception>
    public async Task<Stored<Filter>> CreateAsync(string? name, string? datasetGroupArn, string? filterExpression, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (ResourceName.Problem(name) is { } nameProblem)
        {
            errors["name"] = [nameProblem];
        }

        if (string.IsNullOrWhiteSpace(datasetGroupArn))
        {
            errors["datasetGroupArn"] = ["A dataset group name or ARN is required."];
        }

        FilterExpression? expression = null;
        if (!FilterParser.TryParse(filterExpression, out expression, out var syntaxError))
        {
            errors[FilterParser.Field] = [syntaxError.Message];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(
                errors.TryGetValue(FilterParser.Field, out var problem) ? "The filter expression is invalid: " + problem[0] : "The filter request is invalid.",
                errors);
        }

        var groupName = ResourceArn.Resolve(DatasetGroup.ResourceType, datasetGroupArn, "datasetGroupArn");
        var group = await groups.GetAsync(IResourceStore<DatasetGroup>.GlobalScope, groupName, "dataset group", cancellationToken);
        if (group.Value.State.Status != ResourceStatus.Active)
        {
            throw new ResourceInUseException($"The dataset group '{group.Value.Name}' is {group.Value.State.Status}.");
        }

        var groupSchemas = new FilterSchemas(
            await SchemaOfAsync(group.Value.Name, DatasetType.Items, cancellationToken),
            await SchemaOfAsync(group.Value.Name, DatasetType.Users, cancellationToken),
            await SchemaOfAsync(group.Value.Name, DatasetType.Interactions, cancellationToken));
        FilterSchemaValidator.Validate(expression!, groupSchemas);

        var existing = await ListAllAsync(group.Value.Name, cancellationToken);
        if (existing.Count >= FilterLimits.MaxFiltersPerDatasetGroup)
        {
            throw new LimitExceededException(
                $"The dataset group '{group.Value.Name}' has {existing.Count} filters; the limit is {FilterLimits.MaxFiltersPerDatasetGroup}.");
        }

        var fields = existing.SelectMany(f => FieldsOf(f)).Concat(expression!.Fields).ToHashSet(StringComparer.Ordinal);
        if (fields.Count > FilterLimits.MaxFieldsPerDatasetGroup)
        {
            throw new LimitExceededException(
                $"The filters of the dataset group '{group.Value.Name}' would use {fields.Count} distinct dataset fields; the limit is {FilterLimits.MaxFieldsPerDatasetGroup}.");
        }

        var filter = new Filter(name!, group.Value.Name, filterExpression!, ResourceState.New(ResourceStatus.Active, timeProvider.GetUtcNow()));
        return await store.CreateAsync(Scope, filter.Name, filter, cancellationToken);
    }

    /// <summary>Reads a filter by name or ARN.</summary>
    public Task<Stored<Filter>> DescribeAsync(string? identifier, CancellationToken cancellationToken = default)
        => store.GetAsync(Scope, ResourceArn.Resolve(Filter.ResourceType, identifier, "filterArn"), Kind, cancellationToken);

    /// <summary>Lists filters by name, all of them or only a dataset group's.</summary>
    public async Task<ResourcePage<Filter>> ListAsync(string? datasetGroupArn, int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
    {
        var pageSize = Paging.PageSize(maxResults);
        if (datasetGroupArn is null)
        {
            return await store.ListAsync(Scope, pageSize, nextToken, cancellationToken);
        }

        // Filters are keyed by name alone (as their ARNs are), so a group's filters are picked from the full listing;
        // each underlying page asks only for the room left, so the token returned resumes exactly after the last one read.
        var group = ResourceArn.Resolve(DatasetGroup.ResourceType, datasetGroupArn, "datasetGroupArn");
        var items = new List<Filter>();
        var token = nextToken;
        do
        {
            var page = await store.ListAsync(Scope, pageSize - items.Count, token, cancellationToken);
            items.AddRange(page.Items.Where(f => f.DatasetGroup == group));
            token = page.NextToken;
        }
        while (token is not null && items.Count < pageSize);

        return new ResourcePage<Filter>(items, token);
    }

    /// <summary>Deletes a filter.</summary>
    public async Task DeleteAsync(string? identifier, CancellationToken cancellationToken = default)
    {
        var stored = await DescribeAsync(identifier, cancellationToken);
        var filter = stored.Value;
        var etag = stored.ETag;
        if (filter.State.Status != ResourceStatus.DeletePending)
        {
            var deleting = filter with { State = filter.State.MoveTo(Kind, filter.Name, ResourceStatus.DeletePending, timeProvider.GetUtcNow()) };
            etag = (await store.ReplaceAsync(Scope, filter.Name, deleting, etag, cancellationToken)).ETag;
        }

        await store.DeleteAsync(Scope, filter.Name, etag, cancellationToken);
    }

    private async Task<List<Filter>> ListAllAsync(string group, CancellationToken cancellationToken)
    {
        var result = new List<Filter>();
        string? token = null;
        do
        {
            var page = await store.ListAsync(Scope, Paging.MaxPageSize, token, cancellationToken);
            result.AddRange(page.Items.Where(f => f.DatasetGroup == group));
            token = page.NextToken;
        }
        while (token is not null);

        return result;
    }

    private static IEnumerable<string> FieldsOf(Filter filter)
        => FilterParser.TryParse(filter.FilterExpression, out var parsed, out _) ? parsed.Fields : [];

    private async Task<DatasetSchema?> SchemaOfAsync(string group, DatasetType type, CancellationToken cancellationToken)
    {
        var dataset = await datasets.FindAsync(group, Dataset.TypeKey(type), cancellationToken);
        if (dataset is null)
        {
            return null;
        }

        var schema = await schemas.FindAsync(IResourceStore<Schema>.GlobalScope, dataset.Value.SchemaName, cancellationToken);
        return schema?.Value.Parse();
    }
}
