using Recsys.Core.Resources;

namespace Recsys.Core.DatasetGroups;

/// <summary>
/// A dataset group: the container for one application's datasets, models, campaigns, filters and event tracker
/// (Personalize's DatasetGroup).
/// </summary>
/// <param name="Name">Unique name.</param>
/// <param name="State">Lifecycle state.</param>
/// <param name="Domain">Optional domain (ECOMMERCE or VIDEO_ON_DEMAND); informational in Recsys.</param>
public sealed record DatasetGroup(string Name, ResourceState State, string? Domain = null) : IResource
{
    /// <summary>Resource type name used in ARNs and messages.</summary>
    public const string ResourceType = "dataset-group";

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceType, Name);
}
