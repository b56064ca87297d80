using Recsys.Core.Errors;
using Recsys.Core.Resources;
using Recsys.Core.Solutions;

namespace Recsys.Core.Campaigns;

/// <summary>Use cases for campaigns: create, update (swap the model), describe, list, delete, and which version serves.</summary>
public sealed class CampaignService(IResourceStore<Campaign> store, SolutionService solutions, TimeProvider timeProvider)
{
    private const string Scope = IResourceStore<Campaign>.GlobalScope;

    /// <summary>Creates a campaign serving an ACTIVE solution version. It is ACTIVE at once; the model loads on first use.</summary>
    public async Task<Stored<Campaign>> CreateAsync(string? name, string? solutionVersionArn, int? minProvisionedTps, CampaignConfig? config, CancellationToken cancellationToken = default)
    {
        ResourceName.Validate(name);
        Validate(config, minProvisionedTps);
        var version = await ActiveVersionAsync(solutionVersionArn, cancellationToken);
        var campaign = new Campaign
        {
            Name = name!,
            Solution = version.Solution,
            SolutionVersion = version.Name,
            DatasetGroup = version.DatasetGroup,
            Recipe = version.Recipe,
            MinProvisionedTps = minProvisionedTps ?? 1,
            Config = config ?? new CampaignConfig(),
            State = ResourceState.New(ResourceStatus.Active, timeProvider.GetUtcNow()),
        };
        return await store.CreateAsync(Scope, campaign.Name, campaign, cancellationToken);
    }

    /// <summary>
    /// Points a campaign at another version of its solution and/or changes its configuration. Requests in flight
    /// finish on the model they started with; the next ones use the new one.
    /// </summary>
    public async Task<Stored<Campaign>> UpdateAsync(string? campaignArn, string? solutionVersionArn, int? minProvisionedTps, CampaignConfig? config, CancellationToken cancellationToken = default)
    {
        Validate(config, minProvisionedTps);
        var current = await DescribeAsync(campaignArn, cancellationToken);
        var campaign = current.Value;
        if (solutionVersionArn is not null)
        {
            var version = await ActiveVersionAsync(solutionVersionArn, cancellationToken);
            if (version.Solution != campaign.Solution)
            {
                throw new InvalidInputException("solutionVersionArn", $"The campaign '{campaign.Name}' serves the solution '{campaign.Solution}'; '{version.Arn}' belongs to '{version.Solution}'.");
            }

            campaign = campaign with { SolutionVersion = version.Name, Recipe = version.Recipe };
        }

        campaign = campaign with
        {
            Config = config ?? campaign.Config,
            MinProvisionedTps = minProvisionedTps ?? campaign.MinProvisionedTps,
            State = campaign.State with { LastUpdatedDateTime = timeProvider.GetUtcNow() },
        };
        return await store.ReplaceAsync(Scope, campaign.Name, campaign, current.ETag, cancellationToken);
    }

    /// <summary>Reads a campaign by name or ARN.</summary>
    public Task<Stored<Campaign>> DescribeAsync(string? identifier, CancellationToken cancellationToken = default)
        => store.GetAsync(Scope, ResourceArn.Resolve(Campaign.ResourceType, identifier, "campaignArn"), "campaign", cancellationToken);

    /// <summary>Lists campaigns, optionally of one solution.</summary>
    public async Task<ResourcePage<Campaign>> ListAsync(string? solutionArn, int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
    {
        var page = await store.ListAsync(Scope, Paging.PageSize(maxResults), nextToken, cancellationToken);
        if (solutionArn is null)
        {
            return page;
        }

        var solution = ResourceArn.Resolve(Solution.ResourceType, solutionArn, "solutionArn");
        return page with { Items = page.Items.Where(c => c.Solution == solution).ToArray() };
    }

    /// <summary>Deletes a campaign.</summary>
    public async Task DeleteAsync(string? identifier, CancellationToken cancellationToken = default)
    {
        var stored = await DescribeAsync(identifier, cancellationToken);
        await store.DeleteAsync(Scope, stored.Value.Name, stored.ETag, cancellationToken);
    }

    /// <summary>The version a campaign serves now: its own, or with sync on, the solution's latest ACTIVE one.</summary>
    public async Task<string> ServingVersionArnAsync(Campaign campaign, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (!campaign.Config.SyncWithLatestSolutionVersion)
        {
            return campaign.SolutionVersionArn;
        }

        SolutionVersion? latest = null;
        string? token = null;
        do
        {
            var page = await solutions.ListVersionsAsync(campaign.Solution, Paging.MaxPageSize, token, cancellationToken);
            foreach (var version in page.Items.Where(v => v.State.Status == ResourceStatus.Active))
            {
                if (latest is null || version.State.CreationDateTime > latest.State.CreationDateTime)
                {
                    latest = version;
                }
            }

            token = page.NextToken;
        }
        while (token is not null);

        return latest?.Arn ?? campaign.SolutionVersionArn;
    }

    private async Task<SolutionVersion> ActiveVersionAsync(string? solutionVersionArn, CancellationToken cancellationToken)
    {
        var version = (await solutions.DescribeVersionAsync(solutionVersionArn, cancellationToken)).Value;
        return version.State.Status == ResourceStatus.Active
            ? version
            : throw new InvalidInputException("solutionVersionArn", $"The solution version '{version.Arn}' is {version.State.Status}; a campaign needs an ACTIVE one.");
    }

    private static void Validate(CampaignConfig? config, int? minProvisionedTps)
    {
        var errors = new Dictionary<string, string[]>();
        if (minProvisionedTps is < 1)
        {
            errors["minProvisionedTPS"] = ["minProvisionedTPS must be at least 1."];
        }

        if (config?.ItemExplorationConfig is { } exploration)
        {
            if (exploration.ExplorationWeight is < 0 or > 1 || double.IsNaN(exploration.ExplorationWeight))
            {
                errors["campaignConfig.itemExplorationConfig.explorationWeight"] = ["explorationWeight must be between 0 and 1."];
            }

            if (exploration.ExplorationItemAgeCutOff is <= 0 || double.IsNaN(exploration.ExplorationItemAgeCutOff))
            {
                errors["campaignConfig.itemExplorationConfig.explorationItemAgeCutOff"] = ["explorationItemAgeCutOff must be a positive number of days."];
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException("The campaign request is invalid.", errors);
        }
    }
}
