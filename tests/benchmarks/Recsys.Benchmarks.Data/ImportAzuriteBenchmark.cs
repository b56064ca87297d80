using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Recsys.Core.DatasetGroups;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Resources;
using Recsys.Core.Schemas;
using Recsys.Data.Synthetic;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Benchmarks.Data;

/// <summary>
/// End-to-end import into Azurite: a generated interactions CSV dropped in the imports container, imported by the
/// same <see cref="DatasetImportRunner"/> the import function runs (blob stream → validation → Parquet segment in
/// Blob Storage → manifest commit → job record), in a child process so that its peak memory is measured alone.
/// </summary>
internal static class ImportAzuriteBenchmark
{
    public const string ChildCommand = "import-azurite-child";
    private const string Group = "bench";
    private const string Blob = Group + "/Interactions/interactions.csv";

    public static async Task<JsonObject> RunAsync(long rows)
    {
        var directory = Directory.CreateTempSubdirectory("recsys-import-azurite-").FullName;
        try
        {
            var generate = Stopwatch.StartNew();
            var dataset = await SyntheticDataGenerator.GenerateAsync(new SyntheticDataOptions { Interactions = rows, Seed = 11 }, directory);
            generate.Stop();
            var csvBytes = new FileInfo(dataset.InteractionsCsv).Length;

            await using var azurite = await Azurite.StartAsync();
            var clients = new StorageClients(new StorageOptions { ConnectionString = azurite.ConnectionString });
            await new StorageProvisioner(clients).EnsureCreatedAsync();
            var services = Services(clients);
            await services.Groups.CreateAsync(Group, null);
            await services.Schemas.CreateAsync(Group + "-interactions", SyntheticDataGenerator.InteractionsSchema.ToJson(), null);
            await services.Datasets.CreateAsync(Group + "-interactions", Group, "Interactions", Group + "-interactions", null);

            var upload = Stopwatch.StartNew();
            await clients.Container(StorageNames.ImportsContainer).GetBlobClient(Blob).UploadAsync(dataset.InteractionsCsv, overwrite: true);
            upload.Stop();

            var child = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal))
            {
                child.ArgumentList.Add(typeof(ImportAzuriteBenchmark).Assembly.Location);
            }

            child.ArgumentList.Add(ChildCommand);
            child.ArgumentList.Add(azurite.ConnectionString);
            using var process = Process.Start(child)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException("The import child failed: " + output);
            }

            var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!.AsObject();
            var seconds = (double)result["importSeconds"]!;
            return new JsonObject
            {
                ["rows"] = rows,
                ["csvBytes"] = csvBytes,
                ["generateSeconds"] = Math.Round(generate.Elapsed.TotalSeconds, 2),
                ["uploadSeconds"] = Math.Round(upload.Elapsed.TotalSeconds, 2),
                ["importSeconds"] = seconds,
                ["importRowsPerSecond"] = Math.Round(rows / seconds),
                ["importPeakWorkingSetBytes"] = result["peakWorkingSetBytes"]!.DeepClone(),
                ["jobStatus"] = result["status"]!.DeepClone(),
                ["rowsImported"] = result["rowsImported"]!.DeepClone(),
                ["rowsRejected"] = result["rowsRejected"]!.DeepClone(),
                ["segmentBytes"] = result["segmentBytes"]!.DeepClone(),
                ["note"] = "import = DatasetImportRunner on the blob in Azurite (in-memory): stream, validate, write Parquet to Blob Storage, commit the manifest, update the job record; peak working set of the importing process alone",
            };
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public static async Task<int> RunChildAsync(string[] args)
    {
        var clients = new StorageClients(new StorageOptions { ConnectionString = args[1] });
        var services = Services(clients);
        var file = await new BlobImportFileStore(clients).FindAsync(Blob) ?? throw new InvalidOperationException("no file");
        var watch = Stopwatch.StartNew();
        var job = (await services.Runner.RunAsync(new Core.Jobs.ImportJobMessage(Blob, file.ETag, null), Core.Jobs.JobDelivery.Once)).Record!;
        watch.Stop();
        var segments = clients.Container(StorageNames.DatasetsContainer);
        long segmentBytes = 0;
        await foreach (var blob in segments.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, Group + "/", CancellationToken.None))
        {
            segmentBytes += blob.Properties.ContentLength ?? 0;
        }

        using var self = Process.GetCurrentProcess();
        Console.WriteLine(new JsonObject
        {
            ["importSeconds"] = Math.Round(watch.Elapsed.TotalSeconds, 2),
            ["peakWorkingSetBytes"] = self.PeakWorkingSet64,
            ["status"] = job.State.Status + (job.State.FailureReason is null ? string.Empty : ": " + job.State.FailureReason),
            ["rowsImported"] = job.RowsImported,
            ["rowsRejected"] = job.RowsRejected,
            ["segmentBytes"] = segmentBytes,
        }.ToJsonString());
        return 0;
    }

    private static (DatasetGroupService Groups, SchemaService Schemas, DatasetService Datasets, DatasetImportRunner Runner) Services(StorageClients clients)
    {
        var groups = Store<DatasetGroup>(clients, StorageNames.DatasetGroupsTable, "dataset group");
        var schemas = Store<Schema>(clients, StorageNames.SchemasTable, "schema");
        var datasets = Store<Dataset>(clients, StorageNames.DatasetsTable, "dataset");
        var jobs = Store<DatasetImportJob>(clients, StorageNames.ImportJobsTable, "dataset import job");
        var segments = new BlobDatasetSegmentStore(clients);
        var time = TimeProvider.System;
        return (
            new DatasetGroupService(
                groups, datasets, Store<Core.Solutions.Solution>(clients, StorageNames.SolutionsTable, "solution"),
                Store<Core.Events.EventTracker>(clients, StorageNames.EventTrackersTable, "event tracker"), Store<Core.Filters.Filter>(clients, StorageNames.FiltersTable, "filter"), time),
            new SchemaService(schemas, time),
            new DatasetService(datasets, groups, schemas, segments, time),
            new DatasetImportRunner(jobs, datasets, schemas, segments, new BlobImportFileStore(clients), time, new Core.Jobs.JobRunner(time)));
    }

    private static TableResourceStore<T> Store<T>(StorageClients clients, string table, string type)
        where T : class, IResource
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        return new TableResourceStore<T>(clients.Table(table), (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)), type);
    }
}
