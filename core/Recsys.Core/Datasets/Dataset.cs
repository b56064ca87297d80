using Recsys.Core.Resources;
using Recsys.Data.Schemas;

namespace Recsys.Core.Datasets;

/// <summary>
/// A dataset: the Interactions, Items or Users data of a dataset group, bound to a schema. A dataset group has at
/// most one dataset of each type.
/// </summary>
/// <param name="Name">The dataset's display name.</param>
/// <param name="DatasetGroup">Owning dataset group.</param>
/// <param name="DatasetType">Interactions, Items or Users.</param>
/// <param name="SchemaName">The schema its data must fit.</param>
/// <param name="State">Lifecycle state.</param>
/// <param name="ColumnMapping">CSV header → schema field for files whose headers differ from the field names (a Recsys extension).</param>
public sealed record Dataset(
    string Name,
    string DatasetGroup,
    DatasetType DatasetType,
    string SchemaName,
    ResourceState State,
    IReadOnlyDictionary<string, string>? ColumnMapping = null) : IResource
{
    /// <summary>Resource type name used in ARNs.</summary>
    public const string ResourceType = "dataset";

    /// <summary>The key of the dataset inside its group: the upper-case type, as in Personalize's ARNs.</summary>
    public string Key => TypeKey(DatasetType);

    /// <summary>The ARN-like identifier (<c>…:dataset/{datasetGroup}/INTERACTIONS</c>).</summary>
    public string Arn => ResourceArn.For(ResourceType, DatasetGroup + "/" + Key);

    /// <summary>The ARN of the schema.</summary>
    public string SchemaArn => ResourceArn.For(Schemas.Schema.ResourceType, SchemaName);

    /// <summary>The key of a dataset type (<c>INTERACTIONS</c>, <c>ITEMS</c>, <c>USERS</c>).</summary>
    public static string TypeKey(DatasetType type) => type.ToString().ToUpperInvariant();

    /// <summary>Parses a dataset type as Personalize spells it (any case).</summary>
    public static DatasetType? ParseType(string? value)
        => Enum.TryParse<DatasetType>(value, ignoreCase: true, out var type) && Enum.IsDefined(type) ? type : null;
}
