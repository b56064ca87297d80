using Recsys.Core.Resources;
using Recsys.Data.Schemas;

namespace Recsys.Core.Schemas;

/// <summary>A dataset schema (Personalize's Avro JSON), stored as given and validated for one dataset type.</summary>
/// <param name="Name">Unique name.</param>
/// <param name="State">Lifecycle state (schemas are ACTIVE once created).</param>
/// <param name="Definition">The Avro JSON document.</param>
/// <param name="DatasetType">The dataset type the schema fits.</param>
/// <param name="Domain">Optional domain, informational.</param>
public sealed record Schema(string Name, ResourceState State, string Definition, DatasetType DatasetType, string? Domain = null) : IResource
{
    /// <summary>Resource type name used in ARNs.</summary>
    public const string ResourceType = "schema";

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceType, Name);

    /// <summary>The parsed schema.</summary>
    public DatasetSchema Parse() => DatasetSchema.Parse(Definition, DatasetType);
}
