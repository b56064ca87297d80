using System.Text.Json;
using System.Text.Json.Serialization;
using Recsys.Core.Filters;

namespace Recsys.Functions.Api;

/// <summary>Source-generated JSON for the filter records kept in Table Storage.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Filter))]
internal sealed partial class FilterJson : JsonSerializerContext;
