using Recsys.Core.Resources;

namespace Recsys.Core.Campaigns;

/// <summary>How much of a recommendation list goes to new items, and what counts as new (Personalize's itemExplorationConfig).</summary>
/// <param name="ExplorationWeight">0–1: the share of slots given to exploring new items (default 0.3).</param>
/// <param name="ExplorationItemAgeCutOff">Days: items created more recently than this are new (default 30).</param>
public sealed record ItemExplorationConfig(double ExplorationWeight = 0.3, double ExplorationItemAgeCutOff = 30);

/// <summary>A campaign's configuration.</summary>
/// <param name="ItemExplorationConfig">Exploration of new items (user-personalization recipes).</param>
/// <param name="EnableMetadataWithRecommendations">Whether requests may ask for item metadata in the results.</param>
/// <param name="SyncWithLatestSolutionVersion">Follow the solution's latest ACTIVE version automatically.</param>
public sealed record CampaignConfig(
    ItemExplorationConfig? ItemExplorationConfig = null,
    bool EnableMetadataWithRecommendations = false,
    bool SyncWithLatestSolutionVersion = false);

/// <summary>A campaign: a deployed solution version that the runtime API serves (Personalize's Campaign).</summary>
public sealed record Campaign : IResource
{
    /// <summary>Resource type name used in ARNs.</summary>
    public const string ResourceType = "campaign";

    /// <summary>Unique name.</summary>
    public required string Name { get; init; }

    /// <summary>The solution.</summary>
    public required string Solution { get; init; }

    /// <summary>The version deployed (with sync on, the one deployed at the last update; serving follows the latest).</summary>
    public required string SolutionVersion { get; init; }

    /// <summary>The dataset group the solution trains on.</summary>
    public required string DatasetGroup { get; init; }

    /// <summary>The recipe of the solution.</summary>
    public required string Recipe { get; init; }

    /// <summary>Accepted for compatibility; Recsys scales with the Functions app, not per campaign.</summary>
    public int MinProvisionedTps { get; init; } = 1;

    /// <summary>Configuration.</summary>
    public CampaignConfig Config { get; init; } = new();

    /// <summary>Lifecycle state.</summary>
    public required ResourceState State { get; init; }

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceType, Name);

    /// <summary>The deployed version's ARN.</summary>
    public string SolutionVersionArn => ResourceArn.For(Solutions.SolutionVersion.ResourceType, Solution + "/" + SolutionVersion);
}
