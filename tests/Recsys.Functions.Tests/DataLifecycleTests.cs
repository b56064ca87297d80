using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Core.Datasets;
using Recsys.Core.Events;
using Recsys.Core.Solutions;
using Recsys.Data.Schemas;
using Recsys.Data.Synthetic;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>
/// Data lifecycle end to end on the dev host: real-time events compacted into segments by the timer function,
/// dataset export jobs (CSV in Blob Storage) and a data deletion job whose user stops counting at once for serving,
/// segment jobs, exports and the next training.
/// </summary>
public sealed class DataLifecycleTests : IAsyncLifetime
{
    private const string Group = ShopSetup.DatasetGroup;
    private Azurite _azurite = null!;
    private FunctionsHost _host = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        _host = await FunctionsHost.StartAsync(_azurite.ConnectionString, new Dictionary<string, string?> { ["Recsys:Events:CompactionSettleSeconds"] = "0" });
        _directory = Directory.CreateTempSubdirectory("recsys-lifecycle-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _azurite.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body = null, HttpStatusCode expected = HttpStatusCode.OK, string key = FunctionsHost.MasterKey)
        => _host.SendJsonAsync(method, path, body, expected, key);

    private async Task<string[]> RecommendAsync(string campaign, string user)
        => (await SendAsync(HttpMethod.Post, "/api/recommendations", new JsonObject { ["campaignArn"] = campaign, ["userId"] = user, ["numResults"] = 10 }, key: FunctionsHost.HostKey))!
            ["itemList"]!.AsArray().Select(i => (string)i!["itemId"]!).ToArray();

    private async Task SendEventsAsync(string trackingId, string user, string first, params string[] items)
    {
        var events = new JsonArray();
        for (var i = 0; i < items.Length; i++)
        {
            events.Add(new JsonObject { ["eventId"] = $"{first}-{i}", ["eventType"] = "click", ["itemId"] = items[i], ["sentAt"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1 + i });
        }

        await SendAsync(HttpMethod.Post, "/api/events", new JsonObject { ["trackingId"] = trackingId, ["sessionId"] = "s-" + user, ["userId"] = user, ["eventList"] = events }, key: FunctionsHost.HostKey);
    }

    private async Task<JsonNode> WaitAsync(string route, string key, string job, params string[] done)
    {
        JsonNode? described = null;
        await Eventually.HoldsAsync(async () =>
        {
            described = (await SendAsync(HttpMethod.Get, $"/api/manage/{route}/{job}"))![key];
            return done.Contains((string?)described!["status"]);
        }, $"{job} finishes", TimeSpan.FromSeconds(60));
        return described!;
    }

    private async Task<string[][]> ExportAsync(string name, string dataset, string mode)
    {
        await SendAsync(HttpMethod.Post, "/api/manage/dataset-export-jobs", new JsonObject
        {
            ["jobName"] = name, ["datasetArn"] = $"arn:recsys:personalize:::dataset/{Group}/{dataset}", ["ingestionMode"] = mode,
            ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "s3://jobs/exports/" } },
        }, HttpStatusCode.Created);
        var job = await WaitAsync("dataset-export-jobs", "datasetExportJob", name, "ACTIVE", "CREATE FAILED");
        Assert.Equal("ACTIVE", (string?)job["status"]);
        var file = (string)job["outputFile"]!;
        var csv = (await _host.Storage.Container("jobs").GetBlobClient(file["jobs/".Length..]).DownloadContentAsync()).Value.Content.ToString();
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToArray();
        Assert.Equal((long)job["rowsExported"]!, lines.Length - 1);
        return lines;
    }

    private async Task<string[]> SegmentAsync(string name, string version, string item)
    {
        await _host.Storage.Container("jobs").GetBlobClient($"segments/{name}.json").UploadAsync(BinaryData.FromString($$"""{"itemId":"{{item}}"}""" + "\n"), overwrite: true);
        await SendAsync(HttpMethod.Post, "/api/manage/batch-segment-jobs", new JsonObject
        {
            ["jobName"] = name, ["solutionVersionArn"] = version, ["numResults"] = 1000,
            ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = $"jobs/segments/{name}.json" } },
            ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "jobs/segments/out/" } },
        }, HttpStatusCode.Created);
        Assert.Equal("ACTIVE", (string?)(await WaitAsync("batch-segment-jobs", "batchSegmentJob", name, "ACTIVE", "CREATE FAILED"))["status"]);
        var line = (await _host.Storage.Container("jobs").GetBlobClient($"segments/out/{name}.json.out").DownloadContentAsync()).Value.Content.ToString();
        return JsonNode.Parse(line)!["output"]!["recommendedUsers"]!.AsArray().Select(u => (string)u!).ToArray();
    }

    /// <summary>A CSV row with its EVENT_VALUE as a number (the export writes 58.3 for the file's 58.30).</summary>
    private static string Normalized(string[] row)
        => string.Join(',', row.Take(4)) + "," + (row[4].Length == 0 ? string.Empty : float.Parse(row[4], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));

    [Fact]
    public async Task Events_compact_into_segments_and_a_deleted_user_is_gone_from_serving_exports_segments_and_the_next_model()
    {
        var testStart = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var generated = await ShopSetup.ImportAsync(_host, _directory, new SyntheticDataOptions { Seed = 11, Interactions = 20_000, Users = 300, Items = 150 }, withUsers: true);
        var interactions = File.ReadLines(generated.InteractionsCsv).Skip(1).Select(l => l.Split(',')).ToArray();
        var u1Items = interactions.Where(r => r[0] == "u1").Select(r => r[1]).ToHashSet();
        var u1Imported = interactions.Count(r => r[0] == "u1");
        Assert.True(u1Imported > 0);
        var allItems = File.ReadLines(generated.ItemsCsv).Skip(1).Select(l => l.Split(',')[0]).ToArray();
        var notSeen = allItems.Where(i => !u1Items.Contains(i)).ToArray();

        // Real-time events and a PutUsers record for u1 and u2, then training and a campaign.
        var tracker = (string)(await SendAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject { ["name"] = "t", ["datasetGroupArn"] = Group }, HttpStatusCode.Created))!["trackingId"]!;
        await SendEventsAsync(tracker, "u1", "a", notSeen[0], notSeen[1], notSeen[2]);
        await SendEventsAsync(tracker, "u2", "b", notSeen[3], notSeen[4]);
        await SendAsync(HttpMethod.Post, "/api/users", new JsonObject
        {
            ["datasetArn"] = $"arn:recsys:personalize:::dataset/{Group}/USERS",
            ["users"] = new JsonArray(new JsonObject { ["userId"] = "u1", ["properties"] = """{"ageGroup":"25-34","membership":"gold"}""" }),
        }, key: FunctionsHost.HostKey);

        // Compaction by the timer function: the events move into a segment, histories stay, training sees the same data.
        var loader = _host.Services.GetRequiredService<TrainingDataLoader>();
        var beforeCompaction = await loader.LoadAsync(Group, withItems: false);
        Assert.Equal(5, beforeCompaction.RealTimeEvents);
        // As on the Functions host, the admin call queues the run (202); its effect shows once it has run.
        await SendAsync(HttpMethod.Post, "/admin/functions/eventCompactionTimer", new JsonObject { ["input"] = string.Empty }, HttpStatusCode.Accepted);
        var segments = _host.Services.GetRequiredService<IDatasetSegmentStore>();
        await Eventually.HoldsAsync(
            async () => (await segments.ReadManifestAsync(Group, DatasetType.Interactions)).Segments.Any(s => s.IsCompactedEvents), "the compaction runs");
        var manifest = await segments.ReadManifestAsync(Group, DatasetType.Interactions);
        var compacted = Assert.Single(manifest.Segments, s => s.IsCompactedEvents);
        Assert.Equal(5, compacted.Rows);
        // The compaction commits the manifest first and deletes the moved rows after it: wait for the run to finish.
        var events = _host.Services.GetRequiredService<IEventStore>();
        await Eventually.HoldsAsync(async () => !await events.ReadAllAsync(Group).AnyAsync(), "the compacted event rows are removed");

        Assert.Equal(3, (await events.GetHistoryAsync(Group, "u1")).Events.Count);
        var afterCompaction = await loader.LoadAsync(Group, withItems: false);
        Assert.Equal((0L, beforeCompaction.Interactions.Count), (afterCompaction.RealTimeEvents, afterCompaction.Interactions.Count));

        var version = await ShopSetup.TrainAsync(_host, await ShopSetup.CreateSolutionAsync(_host));
        var campaign = (string)(await SendAsync(HttpMethod.Post, "/api/manage/campaigns", new JsonObject
        {
            ["name"] = "lifecycle", ["solutionVersionArn"] = version,
        }, HttpStatusCode.Created))!["campaignArn"]!;
        var newcomer = await RecommendAsync(campaign, "never-seen");
        Assert.NotEqual(newcomer, await RecommendAsync(campaign, "u1"));
        var segmentBefore = await SegmentAsync("before", version, notSeen[^1]);
        Assert.Contains("u1", segmentBefore);

        // Exports before the deletion: u1's imported rows plus the compacted events (ALL), the events alone (PUT).
        var allBefore = await ExportAsync("interactions-all", "INTERACTIONS", "ALL");
        Assert.Equal(["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"], allBefore[0]);
        Assert.Equal(u1Imported + 3, allBefore.Count(r => r[0] == "u1"));
        // Every column of every row: u2's imported rows as in the file, then u2's two events.
        var exportedU2 = allBefore.Skip(1).Where(r => r[0] == "u2").ToArray();
        Assert.Equal(
            interactions.Where(r => r[0] == "u2").Select(Normalized).Order(StringComparer.Ordinal),
            exportedU2.Where(r => long.Parse(r[2], CultureInfo.InvariantCulture) < testStart).Select(Normalized).Order(StringComparer.Ordinal));
        Assert.Equal(
            new[] { notSeen[3], notSeen[4] }.Order(StringComparer.Ordinal),
            exportedU2.Where(r => long.Parse(r[2], CultureInfo.InvariantCulture) >= testStart).Select(r => r[1]).Order(StringComparer.Ordinal));
        Assert.Equal(5, (await ExportAsync("interactions-put", "INTERACTIONS", "PUT")).Length - 1);
        var usersBefore = await ExportAsync("users-all", "USERS", "ALL");
        Assert.Equal(["u1", "25-34", "gold"], Assert.Single(usersBefore, r => r[0] == "u1"));

        // The deletion job: a CSV of user ids with one bad line.
        await _host.Storage.Container("jobs").GetBlobClient("deletions/users.csv").UploadAsync(BinaryData.FromString("USER_ID,REASON\nu1,gdpr\n,gdpr\nu1,again\n"), overwrite: true);
        await SendAsync(HttpMethod.Post, "/api/manage/data-deletion-jobs", new JsonObject
        {
            ["jobName"] = "forget-u1", ["datasetGroupArn"] = Group, ["dataSource"] = new JsonObject { ["dataLocation"] = "s3://jobs/deletions/users.csv" },
        }, HttpStatusCode.Created);
        var deletion = await WaitAsync("data-deletion-jobs", "dataDeletionJob", "forget-u1", "COMPLETED", "FAILED");
        Assert.True((string?)deletion["status"] == "COMPLETED", deletion.ToJsonString());
        Assert.Equal(1, (long)deletion["numDeleted"]!);
        Assert.Equal(1, (long)deletion["rowsRejected"]!);
        Assert.Equal(1, (long)deletion["recordsDeleted"]!);
        Assert.Equal(u1Imported + 3 + 1, (long)deletion["segmentRowsRemoved"]!); // interactions, compacted events, the Users row
        Assert.NotNull((string?)deletion["errorReportLocation"]);

        // Serving: u1 is a new user now, with the same recommendations as one never seen, until they send events again.
        Assert.Equal(newcomer, await RecommendAsync(campaign, "u1"));
        Assert.Empty((await events.GetHistoryAsync(Group, "u1")).Events);
        Assert.Null(await _host.Services.GetRequiredService<IDatasetRecordStore>().FindAsync(Group, DatasetType.Users, "u1"));
        Assert.DoesNotContain("u1", await SegmentAsync("after", version, notSeen[^1]));

        // Exports and the next training leave u1 out; u2 and everyone else stay.
        var allAfter = await ExportAsync("interactions-all-after", "INTERACTIONS", "ALL");
        Assert.DoesNotContain(allAfter, r => r[0] == "u1");
        Assert.Equal(allBefore.Length - u1Imported - 3, allAfter.Length);
        Assert.DoesNotContain(await ExportAsync("users-all-after", "USERS", "ALL"), r => r[0] == "u1");
        Assert.Equal(usersBefore.Length - 1, (await ExportAsync("users-bulk-after", "USERS", "BULK")).Length);
        var next = await loader.LoadAsync(Group, withItems: false);
        Assert.False(next.Interactions.Users.TryGetIndex("u1", out _));
        Assert.Equal(beforeCompaction.Interactions.Count - u1Imported - 3, next.Interactions.Count);

        // Events u1 sends after the deletion count again, for serving and for training.
        await SendEventsAsync(tracker, "u1", "c", notSeen[5], notSeen[6]);
        Assert.Equal(2, (await events.GetHistoryAsync(Group, "u1")).Events.Count);
        Assert.NotEqual(newcomer, await RecommendAsync(campaign, "u1"));
        var retrained = await loader.LoadAsync(Group, withItems: false);
        Assert.True(retrained.Interactions.Users.TryGetIndex("u1", out _));
        Assert.Equal(2, retrained.RealTimeEvents);

        // Bad requests are rejected at creation with the field named.
        var problem = await SendAsync(HttpMethod.Post, "/api/manage/dataset-export-jobs", new JsonObject
        {
            ["jobName"] = "bad", ["datasetArn"] = $"{Group}/INTERACTIONS", ["ingestionMode"] = "SOME",
            ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "nowhere" } },
        }, HttpStatusCode.BadRequest);
        Assert.NotNull(problem!["errors"]!["ingestionMode"]);
        Assert.NotNull(problem["errors"]!["jobOutput.s3DataDestination.path"]);
        await SendAsync(HttpMethod.Post, "/api/manage/data-deletion-jobs", new JsonObject
        {
            ["jobName"] = "missing", ["datasetGroupArn"] = Group, ["dataSource"] = new JsonObject { ["dataLocation"] = "jobs/deletions/none.csv" },
        }, HttpStatusCode.BadRequest);
        Assert.Single((await SendAsync(HttpMethod.Get, "/api/manage/data-deletion-jobs"))!["dataDeletionJobs"]!.AsArray());
    }
}
