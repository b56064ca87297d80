using System.Text.Json;
using System.Text.Json.Serialization;
using Recsys.Core.Campaigns;
using Recsys.Core.DatasetGroups;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Schemas;

namespace Recsys.Functions;

/// <summary>Source-generated JSON for the resource documents kept in Table Storage.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DatasetGroup))]
[JsonSerializable(typeof(Schema))]
[JsonSerializable(typeof(Dataset))]
[JsonSerializable(typeof(DatasetImportJob))]
[JsonSerializable(typeof(Campaign))]
internal sealed partial class ResourceJson : JsonSerializerContext;
