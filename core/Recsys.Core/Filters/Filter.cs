using Recsys.Core.Resources;

namespace Recsys.Core.Filters;

/// <summary>
/// A filter (Personalize's Filter): a named expression in a dataset group that recommendation, ranking and segment
/// requests apply by ARN. Filter names are unique across dataset groups, as in Personalize (<c>…:filter/{name}</c>).
/// </summary>
/// <param name="Name">Unique name.</param>
/// <param name="DatasetGroup">The dataset group whose data the filter reads.</param>
/// <param name="FilterExpression">The expression as given (validated when the filter was created).</param>
/// <param name="State">Lifecycle state.</param>
public sealed record Filter(string Name, string DatasetGroup, string FilterExpression, ResourceState State) : IResource
{
    /// <summary>Resource type name used in ARNs.</summary>
    public const string ResourceType = "filter";

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceType, Name);

    /// <summary>The ARN of the dataset group.</summary>
    public string DatasetGroupArn => ResourceArn.For(DatasetGroups.DatasetGroup.ResourceType, DatasetGroup);

    /// <summary>The parsed expression.</summary>
    public FilterExpression Parse() => FilterParser.Parse(FilterExpression);
}
