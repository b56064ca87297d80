using System.Text.Json;
using System.Text.Json.Serialization;
using Recsys.Core.DatasetGroups;

namespace Recsys.Functions;

/// <summary>Source-generated JSON for the resource documents kept in Table Storage.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DatasetGroup))]
internal sealed partial class ResourceJson : JsonSerializerContext;
