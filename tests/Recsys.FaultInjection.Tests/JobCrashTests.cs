using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Core.BatchJobs;
using Recsys.Core.DataLifecycle;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;
using Recsys.Core.Solutions;
using Recsys.Data.Schemas;
using Recsys.Data.Synthetic;
using Recsys.Functions.Tests;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.FaultInjection.Tests;

/// <summary>
/// Processes killed while jobs run, through the dev host and the real worker: each job kind is taken over by the next
/// delivery after its worker dies; a job whose worker dies on every attempt ends failed and locks nothing; the dev host
/// itself killed during an import; PutEvents through worker crashes; and every message kind delivered again after its
/// job ended changes nothing.
/// </summary>
public sealed class JobCrashTests(JobCrashTests.Shop shop) : IClassFixture<JobCrashTests.Shop>
{
    private const string Group = ShopSetup.DatasetGroup;

    /// <summary>A trained and deployed shop on persistent Azurite, shared by the tests in order.</summary>
    public sealed class Shop : IAsyncLifetime
    {
        private string? _directory;

        public Azurite Azurite { get; private set; } = null!;

        internal FunctionsHost Host { get; set; } = null!;

        public string Solution { get; private set; } = null!;

        public string Version { get; private set; } = null!;

        public string TrackingId { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Azurite = await Azurite.StartAsync(persistent: true);
            Host = await FunctionsHost.StartAsync(Azurite.ConnectionString, Faults.FastRecovery(), hostId: "faults");
            _directory = Directory.CreateTempSubdirectory("recsys-faults-").FullName;
            await ShopSetup.ImportAsync(Host, _directory, new SyntheticDataOptions { Seed = 21, Interactions = 60_000, Users = 2_000, Items = 400 }, withUsers: true);
            Solution = await ShopSetup.CreateSolutionAsync(Host);
            Version = await ShopSetup.TrainAsync(Host, Solution);
            TrackingId = (string)(await Host.SendJsonAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject
            {
                ["name"] = "faults-tracker", ["datasetGroupArn"] = Group,
            }, HttpStatusCode.Created))!["trackingId"]!;
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            await Azurite.DisposeAsync();
            Directory.Delete(_directory!, recursive: true);
        }
    }

    private FunctionsHost Host => shop.Host;

    private Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body = null, HttpStatusCode expected = HttpStatusCode.OK)
        => Host.SendJsonAsync(method, path, body, expected);

    private IResourceStore<T> Store<T>()
        where T : class, IResource
        => Host.Services.GetRequiredService<IResourceStore<T>>();

    /// <summary>Waits for the job to run, kills the worker running it, and waits for the job to end; returns the record.</summary>
    private async Task<T> KillWhileRunningAsync<T>(string scope, string name, int kills = 1)
        where T : class, IResource
    {
        var store = Store<T>();
        for (var kill = 1; kill <= kills; kill++)
        {
            var attempt = kill;
            await Eventually.HoldsAsync(
                async () => (await store.FindAsync(scope, name))?.Value.State is { Status: ResourceStatus.CreateInProgress } state && state.Attempts == attempt,
                $"{name} runs (attempt {attempt})",
                TimeSpan.FromSeconds(120));
            var killed = await Faults.KillWorkerAsync(Host);
            await Faults.WorkerBackAsync(Host, killed);
        }

        await Eventually.HoldsAsync(
            async () => ResourceStatus.IsTerminal((await store.FindAsync(scope, name))!.Value.State.Status),
            $"{name} ends",
            TimeSpan.FromSeconds(240));
        return (await store.FindAsync(scope, name))!.Value;
    }

    private static string Csv(string header, int rows, Func<int, string> row)
    {
        var csv = new StringBuilder(header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            csv.Append(row(i)).Append('\n');
        }

        return csv.ToString();
    }

    [Fact]
    public async Task Each_job_kind_is_taken_over_by_the_next_delivery_after_its_worker_dies_and_ends_active()
    {
        // An import: a large incremental file dropped into the container.
        var interactions = await Host.Services.GetRequiredService<IDatasetSegmentStore>().ReadManifestAsync(Group, DatasetType.Interactions);
        const string Blob = Group + "/Interactions/incremental/faults.csv";
        var uploaded = await Host.Storage.Container(StorageNames.ImportsContainer).GetBlobClient(Blob)
            .UploadAsync(BinaryData.FromString(Csv("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE", 400_000, i => $"f{i % 3000},i{i % 400},{1_700_000_000 + i},view")), overwrite: true);
        var import = await KillWhileRunningAsync<DatasetImportJob>(IResourceStore<DatasetImportJob>.GlobalScope, ImportPaths.DropJobName(Blob, uploaded.Value.ETag.ToString().Trim('"')));
        Assert.Equal(ResourceStatus.Active, import.State.Status);
        Assert.True(import.State.Attempts >= 2, "the import was taken over");
        var after = await Host.Services.GetRequiredService<IDatasetSegmentStore>().ReadManifestAsync(Group, DatasetType.Interactions);
        Assert.Equal(interactions.Rows + 400_000, after.Rows); // imported once, not twice

        // A training.
        var versionArn = (string)(await SendAsync(HttpMethod.Post, "/api/manage/solution-versions", new JsonObject { ["solutionArn"] = shop.Solution }, HttpStatusCode.Created))!["solutionVersionArn"]!;
        var parts = versionArn.Split('/');
        var version = await KillWhileRunningAsync<SolutionVersion>(parts[^2], parts[^1]);
        Assert.Equal(ResourceStatus.Active, version.State.Status);
        Assert.True(version.State.Attempts >= 2, "the training was taken over");

        // A batch inference job.
        await Host.Storage.Container("jobs").GetBlobClient("faults/users.jsonl").UploadAsync(
            BinaryData.FromString(string.Concat(Enumerable.Range(0, 20_000).Select(i => $$"""{"userId":"u{{i % 2000}}"}""" + "\n"))), overwrite: true);
        await SendAsync(HttpMethod.Post, "/api/manage/batch-inference-jobs", new JsonObject
        {
            ["jobName"] = "faults-inference", ["solutionVersionArn"] = shop.Version,
            ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = "jobs/faults/users.jsonl" } },
            ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "jobs/faults/out/" } },
        }, HttpStatusCode.Created);
        var inference = await KillWhileRunningAsync<BatchJob>(BatchJobService.Scope(BatchJobKind.Inference), "faults-inference");
        Assert.Equal(ResourceStatus.Active, inference.State.Status);
        Assert.Equal(20_000, inference.LinesRead);
        Assert.True(inference.State.Attempts >= 2, "the batch job was taken over");

        // A dataset export job.
        await SendAsync(HttpMethod.Post, "/api/manage/dataset-export-jobs", new JsonObject
        {
            ["jobName"] = "faults-export", ["datasetArn"] = Group + "/INTERACTIONS", ["ingestionMode"] = "BULK",
            ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "jobs/faults/export/" } },
        }, HttpStatusCode.Created);
        var export = await KillWhileRunningAsync<DatasetExportJob>(DataJobService.ExportKind, "faults-export");
        Assert.Equal(ResourceStatus.Active, export.State.Status);
        Assert.Equal(after.Rows, export.RowsExported); // BULK: the imported rows (the PutEvents test may have added events)
        Assert.True(export.State.Attempts >= 2, "the export was taken over");

        // A data deletion job.
        await Host.Storage.Container("jobs").GetBlobClient("faults/deleted.csv").UploadAsync(
            BinaryData.FromString(Csv("USER_ID", 500, i => "f" + i)), overwrite: true);
        await SendAsync(HttpMethod.Post, "/api/manage/data-deletion-jobs", new JsonObject
        {
            ["jobName"] = "faults-deletion", ["datasetGroupArn"] = Group, ["dataSource"] = new JsonObject { ["dataLocation"] = "jobs/faults/deleted.csv" },
        }, HttpStatusCode.Created);
        var deletion = await KillWhileRunningAsync<DataDeletionJob>(DataJobService.DeletionKind, "faults-deletion");
        Assert.Equal(ResourceStatus.Active, deletion.State.Status);
        Assert.Equal(500, deletion.NumDeleted);
        Assert.True(deletion.State.Attempts >= 2, "the deletion was taken over");

        // Every message kind delivered again once its job ended changes nothing.
        var scheduler = Host.Services.GetRequiredService<IJobScheduler>();
        var manifest = await Host.Services.GetRequiredService<IDatasetSegmentStore>().ReadManifestAsync(Group, DatasetType.Interactions);
        await scheduler.SendAsync(new ImportJobMessage(Blob, uploaded.Value.ETag.ToString().Trim('"'), null));
        await scheduler.SendAsync(new TrainingJobMessage(parts[^2], parts[^1]));
        await scheduler.SendAsync(new BatchJobMessage(BatchJobMessage.Inference, "faults-inference"));
        await scheduler.SendAsync(new BatchJobMessage(BatchJobMessage.Export, "faults-export"));
        await scheduler.SendAsync(new BatchJobMessage(BatchJobMessage.Deletion, "faults-deletion"));
        foreach (var queue in new[] { StorageNames.ImportJobsQueue, StorageNames.TrainingJobsQueue, StorageNames.BatchJobsQueue })
        {
            await Eventually.HoldsAsync(async () => (await Host.Storage.Queue(queue).PeekMessagesAsync()).Value.Length == 0, queue + " is drained", TimeSpan.FromSeconds(60));
        }

        var unchanged = await Host.Services.GetRequiredService<IDatasetSegmentStore>().ReadManifestAsync(Group, DatasetType.Interactions);
        Assert.Equal((manifest.Version, manifest.Rows), (unchanged.Version, unchanged.Rows));
        Assert.Equal(manifest.Segments, unchanged.Segments);
        Assert.Equal(import.State, (await Store<DatasetImportJob>().FindAsync(IResourceStore<DatasetImportJob>.GlobalScope, import.Name))!.Value.State);
        Assert.Equal(version.State, (await Store<SolutionVersion>().FindAsync(parts[^2], parts[^1]))!.Value.State);
        Assert.Equal(inference.State, (await Store<BatchJob>().FindAsync(BatchJobService.Scope(BatchJobKind.Inference), "faults-inference"))!.Value.State);
        Assert.Equal(export.State, (await Store<DatasetExportJob>().FindAsync(DataJobService.ExportKind, "faults-export"))!.Value.State);
        Assert.Equal(deletion.State, (await Store<DataDeletionJob>().FindAsync(DataJobService.DeletionKind, "faults-deletion"))!.Value.State);
    }

    [Fact]
    public async Task A_training_whose_worker_dies_on_every_attempt_fails_with_the_reason_and_leaves_the_solution_free()
    {
        var versionArn = (string)(await SendAsync(HttpMethod.Post, "/api/manage/solution-versions", new JsonObject { ["solutionArn"] = shop.Solution }, HttpStatusCode.Created))!["solutionVersionArn"]!;
        var parts = versionArn.Split('/');

        // maxDequeueCount is 3 here: three attempts die; the host moves the message to the poison queue and the poison
        // function fails the version (a job re-sent with fresh messages is stopped by its attempt count instead).
        var version = await KillWhileRunningAsync<SolutionVersion>(parts[^2], parts[^1], kills: 3);

        Assert.Equal(ResourceStatus.CreateFailed, version.State.Status);
        Assert.Matches("did not finish in 3 deliveries|was started 3 times", version.State.FailureReason);
        var described = (await SendAsync(HttpMethod.Get, "/api/manage/solution-versions/" + Uri.EscapeDataString(versionArn)))!["solutionVersion"]!;
        Assert.Equal("CREATE FAILED", (string?)described["status"]);

        // Nothing is locked: the solution takes a new version, and it trains.
        var next = await ShopSetup.TrainAsync(Host, shop.Solution);
        Assert.NotEqual(versionArn, next);
    }

    [Fact]
    public async Task A_message_the_host_moved_to_the_poison_queue_fails_its_job_with_the_reason()
    {
        // As the host leaves it when every delivery died before the job could record anything: the version pending,
        // its message in training-jobs-poison.
        var now = DateTimeOffset.UtcNow;
        var stranded = new SolutionVersion
        {
            Name = "stranded",
            Solution = "shop-up",
            DatasetGroup = Group,
            Recipe = "user-personalization",
            State = ResourceState.New(ResourceStatus.CreatePending, now),
        };
        await Store<SolutionVersion>().CreateAsync("shop-up", "stranded", stranded);
        await Host.Storage.Queue(StorageNames.TrainingJobsQueue + "-poison")
            .SendMessageAsync(BinaryData.FromObjectAsJson(new TrainingJobMessage("shop-up", "stranded"), JobMessageJson.Default.TrainingJobMessage));

        await Eventually.HoldsAsync(
            async () => (await Store<SolutionVersion>().FindAsync("shop-up", "stranded"))!.Value.State.Status == ResourceStatus.CreateFailed,
            "the poison-queue function failed the version", TimeSpan.FromSeconds(60));
        var failed = (await Store<SolutionVersion>().FindAsync("shop-up", "stranded"))!.Value;
        Assert.Contains("poison queue", failed.State.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_killed_under_put_events_load_loses_no_acknowledged_event()
    {
        await using var load = new PutEventsLoad(Host, shop.TrackingId);
        await Eventually.HoldsAsync(() => Task.FromResult(load.Acknowledged.Count > 200), "the load runs", TimeSpan.FromSeconds(60));
        for (var i = 0; i < 2; i++)
        {
            var killed = await Faults.KillWorkerAsync(Host);
            await Faults.WorkerBackAsync(Host, killed);
            var acknowledged = load.Acknowledged.Count;
            await Eventually.HoldsAsync(() => Task.FromResult(load.Acknowledged.Count > acknowledged + 200), "the load goes on", TimeSpan.FromSeconds(60));
        }

        await load.StopAsync();

        Assert.Empty(await load.LostAsync(Host, Group));
        Assert.DoesNotContain(load.Answers.Keys, a => a is "500" or "502");
    }

    [Fact]
    public async Task The_dev_host_killed_during_an_import_is_started_again_and_the_import_ends_once()
    {
        var before = await Host.Services.GetRequiredService<IDatasetSegmentStore>().ReadManifestAsync(Group, DatasetType.Interactions);
        const string Blob = Group + "/Interactions/incremental/host-crash.csv";
        var uploaded = await Host.Storage.Container(StorageNames.ImportsContainer).GetBlobClient(Blob)
            .UploadAsync(BinaryData.FromString(Csv("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE", 400_000, i => $"h{i % 3000},i{i % 400},{1_710_000_000 + i},view")), overwrite: true);
        var name = ImportPaths.DropJobName(Blob, uploaded.Value.ETag.ToString().Trim('"'));
        var jobs = Store<DatasetImportJob>();
        await Eventually.HoldsAsync(
            async () => (await jobs.FindAsync(IResourceStore<DatasetImportJob>.GlobalScope, name))?.Value.State.Status == ResourceStatus.CreateInProgress,
            "the import runs", TimeSpan.FromSeconds(120));

        await Host.Process.KillAsync();
        await Host.DisposeAsync();
        shop.Host = await FunctionsHost.StartAsync(shop.Azurite.ConnectionString, Faults.FastRecovery(), hostId: "faults");

        await Eventually.HoldsAsync(
            async () => ResourceStatus.IsTerminal((await jobs.FindAsync(IResourceStore<DatasetImportJob>.GlobalScope, name))!.Value.State.Status),
            "the import ends", TimeSpan.FromSeconds(240));
        var job = (await jobs.FindAsync(IResourceStore<DatasetImportJob>.GlobalScope, name))!.Value;
        var after = await Host.Services.GetRequiredService<IDatasetSegmentStore>().ReadManifestAsync(Group, DatasetType.Interactions);
        Assert.Equal(ResourceStatus.Active, job.State.Status);
        Assert.Equal(before.Rows + 400_000, after.Rows);
    }
}
