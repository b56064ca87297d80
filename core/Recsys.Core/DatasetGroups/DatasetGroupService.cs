using Recsys.Core.Errors;
using Recsys.Core.Resources;

namespace Recsys.Core.DatasetGroups;

/// <summary>Use cases for dataset groups: create, describe, list and delete.</summary>
public sealed class DatasetGroupService(
    IResourceStore<DatasetGroup> store,
    IResourceStore<Datasets.Dataset> datasets,
    IResourceStore<Solutions.Solution> solutions,
    IResourceStore<Events.EventTracker> trackers,
    IResourceStore<Filters.Filter> filters,
    TimeProvider timeProvider)
{
    private static readonly string[] s_domains = ["ECOMMERCE", "VIDEO_ON_DEMAND"];

    /// <summary>Creates a dataset group. It needs no provisioning, so it is ACTIVE at once.</summary>
    public async Task<Stored<DatasetGroup>> CreateAsync(string? name, string? domain, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (ResourceName.Problem(name) is { } nameProblem)
        {
            errors["name"] = [nameProblem];
        }

        if (domain is not null && Array.IndexOf(s_domains, domain) < 0)
        {
            errors["domain"] = [$"domain must be one of {string.Join(", ", s_domains)}."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException("The dataset group request is invalid.", errors);
        }

        var group = new DatasetGroup(name!, ResourceState.New(ResourceStatus.Active, timeProvider.GetUtcNow()), domain);
        return await store.CreateAsync(IResourceStore<DatasetGroup>.GlobalScope, group.Name, group, cancellationToken);
    }

    /// <summary>Reads a dataset group by name or ARN.</summary>
    public Task<Stored<DatasetGroup>> DescribeAsync(string? identifier, CancellationToken cancellationToken = default)
    {
        var name = ResourceArn.Resolve(DatasetGroup.ResourceType, identifier, "datasetGroupArn");
        return store.GetAsync(IResourceStore<DatasetGroup>.GlobalScope, name, "dataset group", cancellationToken);
    }

    /// <summary>Lists dataset groups by name.</summary>
    public Task<ResourcePage<DatasetGroup>> ListAsync(int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
        => store.ListAsync(IResourceStore<DatasetGroup>.GlobalScope, Paging.PageSize(maxResults), nextToken, cancellationToken);

    /// <summary>
    /// Deletes a dataset group: it moves to DELETE PENDING (guarded by <paramref name="ifMatch"/> when given),
    /// then its record is removed.
    /// </summary>
    public async Task DeleteAsync(string? identifier, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var current = await DescribeAsync(identifier, cancellationToken);
        if (ifMatch is not null && ifMatch != "*" && ifMatch != current.ETag)
        {
            throw new PreconditionFailedException(
                $"The dataset group '{current.Value.Name}' has changed since ETag {ifMatch} was read.");
        }

        var group = current.Value;
        var contained = await datasets.ListAsync(group.Name, 1, null, cancellationToken);
        if (contained.Items.Count > 0)
        {
            throw new ResourceInUseException($"The dataset group '{group.Name}' still has datasets ({contained.Items[0].Arn}); delete them first.");
        }

        // As in Personalize, solutions (and with them campaigns), event trackers and filters go first, so that nothing
        // is left pointing at a dataset group that no longer exists.
        var dependent = await FirstOfGroupAsync(solutions, s => s.DatasetGroup, group.Name, "solution", cancellationToken)
            ?? await FirstOfGroupAsync(trackers, t => t.DatasetGroup, group.Name, "event tracker", cancellationToken)
            ?? await FirstOfGroupAsync(filters, f => f.DatasetGroup, group.Name, "filter", cancellationToken);
        if (dependent is not null)
        {
            throw new ResourceInUseException($"The dataset group '{group.Name}' still has the {dependent}; delete it first.");
        }

        var deleting = group with
        {
            State = group.State.MoveTo("dataset group", group.Name, ResourceStatus.DeletePending, timeProvider.GetUtcNow()),
        };
        var marked = await store.ReplaceAsync(IResourceStore<DatasetGroup>.GlobalScope, group.Name, deleting, current.ETag, cancellationToken);
        await store.DeleteAsync(IResourceStore<DatasetGroup>.GlobalScope, group.Name, marked.ETag, cancellationToken);
    }

    /// <summary>"{kind} '{name}'" of the first resource of <paramref name="group"/> in a globally scoped store, or null.</summary>
    private static async Task<string?> FirstOfGroupAsync<T>(IResourceStore<T> resources, Func<T, string> groupOf, string group, string kind, CancellationToken cancellationToken)
        where T : class, IResource
    {
        string? token = null;
        do
        {
            var page = await resources.ListAsync(IResourceStore<T>.GlobalScope, Paging.MaxPageSize, token, cancellationToken);
            if (page.Items.FirstOrDefault(r => groupOf(r) == group) is { } found)
            {
                return $"{kind} '{found.Name}'";
            }

            token = page.NextToken;
        }
        while (token is not null);

        return null;
    }
}
