using System.Text.Json;
using System.Text.Json.Serialization;
using Recsys.Core.BatchJobs;
using Recsys.Core.Campaigns;
using Recsys.Core.DataLifecycle;
using Recsys.Core.DatasetGroups;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Events;
using Recsys.Core.Filters;
using Recsys.Core.Schemas;
using Recsys.Core.Solutions;

namespace Recsys.Storage;

/// <summary>Source-generated JSON of the resource records kept in Table Storage.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DatasetGroup))]
[JsonSerializable(typeof(Schema))]
[JsonSerializable(typeof(Dataset))]
[JsonSerializable(typeof(DatasetImportJob))]
[JsonSerializable(typeof(EventTracker))]
[JsonSerializable(typeof(Solution))]
[JsonSerializable(typeof(SolutionVersion))]
[JsonSerializable(typeof(Campaign))]
[JsonSerializable(typeof(Filter))]
[JsonSerializable(typeof(BatchJob))]
[JsonSerializable(typeof(DatasetExportJob))]
[JsonSerializable(typeof(DataDeletionJob))]
public sealed partial class RecordJson : JsonSerializerContext;
