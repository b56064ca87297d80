using System.Text.Json;
using System.Text.Json.Serialization;
using Recsys.Core.Solutions;

namespace Recsys.Functions.Api;

/// <summary>Source-generated JSON for the solution and solution version records kept in Table Storage.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Solution))]
[JsonSerializable(typeof(SolutionVersion))]
internal sealed partial class TrainingJson : JsonSerializerContext;
