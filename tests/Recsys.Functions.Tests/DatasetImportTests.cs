using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Core.Datasets;
using Recsys.Data.Schemas;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>Schemas, datasets and imports end to end: HTTP manage API, blob drops, the import queue and segments.</summary>
public sealed class DatasetImportTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string InteractionsSchema = """
        {"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","version":"1.0","fields":[
          {"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},
          {"name":"EVENT_TYPE","type":"string"},{"name":"EVENT_VALUE","type":["null","float"]}]}
        """;

    private FunctionsHost _host = null!;

    public async Task InitializeAsync() => _host = await FunctionsHost.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body = null, HttpStatusCode expected = HttpStatusCode.OK)
        => _host.SendJsonAsync(method, path, body, expected);

    private async Task CreateGroupWithInteractionsAsync(string group, string schema = InteractionsSchema, JsonObject? columnMapping = null)
    {
        await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = group }, HttpStatusCode.Created);
        await SendAsync(HttpMethod.Post, "/api/manage/schemas", new JsonObject { ["name"] = group + "-interactions", ["schema"] = schema }, HttpStatusCode.Created);
        await SendAsync(HttpMethod.Post, "/api/manage/datasets", new JsonObject
        {
            ["name"] = group + "-interactions",
            ["datasetGroupArn"] = "arn:recsys:personalize:::dataset-group/" + group,
            ["datasetType"] = "Interactions",
            ["schemaArn"] = "arn:recsys:personalize:::schema/" + group + "-interactions",
            ["columnMapping"] = columnMapping,
        }, HttpStatusCode.Created);
    }

    private async Task DropAsync(string blob, string content)
        => await _host.Storage.Container(StorageNames.ImportsContainer).GetBlobClient(blob).UploadAsync(BinaryData.FromString(content), overwrite: true);

    private async Task DropFileAsync(string blob, string path)
        => await _host.Storage.Container(StorageNames.ImportsContainer).GetBlobClient(blob).UploadAsync(path, overwrite: true);

    private async Task<JsonNode> WaitForJobAsync(string group, string location, int count = 1)
    {
        JsonNode? job = null;
        await Eventually.HoldsAsync(async () =>
        {
            var jobs = (await SendAsync(HttpMethod.Get, $"/api/manage/dataset-import-jobs?datasetArn={Uri.EscapeDataString(group + "/INTERACTIONS")}"))!["datasetImportJobs"]!.AsArray();
            var matching = jobs.Where(j => (string?)j!["dataSource"]!["dataLocation"] == "imports/" + location).ToList();
            job = matching.Count >= count ? matching.Last() : null;
            return job is not null && (string?)job["status"] is "ACTIVE" or "CREATE FAILED";
        }, $"the import of {location} finishes", TimeSpan.FromSeconds(60));
        return job!;
    }

    private async Task<DatasetManifest> ManifestAsync(string group)
        => await _host.Services.GetRequiredService<IDatasetSegmentStore>().ReadManifestAsync(group, DatasetType.Interactions);

    [Fact]
    public async Task A_dropped_csv_is_imported_with_counts_and_an_error_report_and_is_readable_for_training()
    {
        await CreateGroupWithInteractionsAsync("dropped");
        var csv = "\uFEFFUSER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\r\n"
            + "u1,i1,1700000000,click,1.5\r\n"
            + "u1,i2,1700000100,purchase,\r\n"
            + "u2,i1,not-a-time,click,2\r\n"
            + "u2,i3,1700000000123,click,2\r\n"
            + "\"u3\",\"i2\",1700000200,view,0.5\r\n";
        await DropAsync("dropped/Interactions/2026-11.csv", csv);

        var job = await WaitForJobAsync("dropped", "dropped/Interactions/2026-11.csv");

        Assert.Equal("ACTIVE", (string?)job["status"]);
        Assert.Equal("drop", (string?)job["source"]);
        Assert.Equal(5, (long)job["rowsRead"]!);
        Assert.True((long)job["rowsImported"]! == 3, job.ToJsonString());
        Assert.Equal(2, (long)job["rowsRejected"]!);
        using var report = FunctionsHost.WithKey(HttpMethod.Get, $"/api/manage/dataset-import-jobs/{job["jobName"]}/errors");
        var errors = await (await _host.Client.SendAsync(report)).Content.ReadAsStringAsync();
        Assert.Contains("line,column,reason", errors, StringComparison.Ordinal);
        Assert.Contains("TIMESTAMP", errors, StringComparison.Ordinal);
        Assert.Contains("millisecond", errors, StringComparison.OrdinalIgnoreCase);

        var training = (await _host.Services.GetRequiredService<TrainingDataReader>().LoadInteractionsAsync("dropped")).Build();
        Assert.Equal(3, training.Count);
        Assert.Equal(2, training.Users.Count);
        Assert.Equal(2, training.Items.Count);

        // The dropped file is never touched.
        var content = await _host.Storage.Container(StorageNames.ImportsContainer).GetBlobClient("dropped/Interactions/2026-11.csv").DownloadContentAsync();
        Assert.Equal(csv, Encoding.UTF8.GetString(content.Value.Content.ToArray()));
    }

    [Fact]
    public async Task A_failed_full_import_leaves_the_previous_data_and_incremental_appends()
    {
        await CreateGroupWithInteractionsAsync("atomic");
        await DropAsync("atomic/Interactions/good.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,1700000000,click\nu2,i2,1700000001,click\n");
        Assert.Equal("ACTIVE", (string?)(await WaitForJobAsync("atomic", "atomic/Interactions/good.csv"))["status"]);
        var before = await ManifestAsync("atomic");

        await DropAsync("atomic/Interactions/bad.csv", "USER_ID,TIMESTAMP\nu1,1700000000\n");
        var failed = await WaitForJobAsync("atomic", "atomic/Interactions/bad.csv");
        Assert.Equal("CREATE FAILED", (string?)failed["status"]);
        Assert.Contains("ITEM_ID", (string?)failed["failureReason"], StringComparison.Ordinal);
        var unchanged = await ManifestAsync("atomic");
        Assert.Equal(before.Version, unchanged.Version);
        Assert.Equal(before.Segments, unchanged.Segments);

        await DropAsync("atomic/Interactions/incremental/more.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu3,i3,1700000002,click\n");
        var appended = await WaitForJobAsync("atomic", "atomic/Interactions/incremental/more.csv");
        Assert.Equal("INCREMENTAL", (string?)appended["importMode"]);
        var after = await ManifestAsync("atomic");
        Assert.Equal(2, after.Segments.Count);
        Assert.Equal(3, after.Rows);

        // 3 rows → 1 shrinks the dataset by more than half: held back unless the path allows it.
        await DropAsync("atomic/Interactions/replace.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu9,i9,1700000009,click\n");
        var heldBack = await WaitForJobAsync("atomic", "atomic/Interactions/replace.csv");
        Assert.Equal("CREATE FAILED", (string?)heldBack["status"]);
        Assert.Equal(3, (await ManifestAsync("atomic")).Rows);

        await DropAsync("atomic/Interactions/allow-shrink/replace.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu9,i9,1700000009,click\n");
        await WaitForJobAsync("atomic", "atomic/Interactions/allow-shrink/replace.csv");
        var replaced = await ManifestAsync("atomic");
        Assert.Single(replaced.Segments);
        Assert.Equal(1, replaced.Rows);
    }

    [Fact]
    public async Task An_import_job_created_through_the_api_imports_the_file_version_it_was_created_for()
    {
        await CreateGroupWithInteractionsAsync("viaapi");
        await DropAsync("uploads/viaapi.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,1700000000,click\n");

        var created = await SendAsync(HttpMethod.Post, "/api/manage/dataset-import-jobs", new JsonObject
        {
            ["jobName"] = "first-load",
            ["datasetArn"] = "arn:recsys:personalize:::dataset/viaapi/INTERACTIONS",
            ["dataSource"] = new JsonObject { ["dataLocation"] = "imports/uploads/viaapi.csv" },
            ["importMode"] = "FULL",
        }, HttpStatusCode.Created);
        Assert.Equal("arn:recsys:personalize:::dataset-import-job/first-load", (string?)created!["datasetImportJobArn"]);

        JsonNode? job = null;
        await Eventually.HoldsAsync(async () =>
        {
            job = (await SendAsync(HttpMethod.Get, "/api/manage/dataset-import-jobs/first-load"))!["datasetImportJob"];
            return (string?)job!["status"] == "ACTIVE";
        }, "the API job finishes");
        Assert.Equal("api", (string?)job!["source"]);
        Assert.Equal(1, (long)job["rowsImported"]!);

        var duplicate = await SendAsync(HttpMethod.Post, "/api/manage/dataset-import-jobs", new JsonObject
        {
            ["jobName"] = "first-load",
            ["datasetArn"] = "viaapi/INTERACTIONS",
            ["dataSource"] = new JsonObject { ["dataLocation"] = "imports/uploads/viaapi.csv" },
        }, HttpStatusCode.Conflict);
        Assert.NotNull(duplicate);
        var missingFile = await SendAsync(HttpMethod.Post, "/api/manage/dataset-import-jobs", new JsonObject
        {
            ["jobName"] = "no-file",
            ["datasetArn"] = "viaapi/INTERACTIONS",
            ["dataSource"] = new JsonObject { ["dataLocation"] = "imports/uploads/none.csv" },
        }, HttpStatusCode.BadRequest);
        Assert.NotNull(missingFile!["errors"]!["dataSource.dataLocation"]);
    }

    [Theory]
    [InlineData("nogroup/Interactions/x.csv", "does not exist")]
    [InlineData("dropped/Purchases/x.csv", "not a dataset type")]
    [InlineData("loose-file.csv", "not under")]
    public async Task A_drop_that_names_no_dataset_is_a_failed_job_with_the_reason(string blob, string reason)
    {
        await DropAsync(blob, "USER_ID,ITEM_ID,TIMESTAMP\nu,i,1700000000\n");

        JsonNode? job = null;
        await Eventually.HoldsAsync(async () =>
        {
            var jobs = (await SendAsync(HttpMethod.Get, "/api/manage/dataset-import-jobs"))!["datasetImportJobs"]!.AsArray();
            job = jobs.FirstOrDefault(j => (string?)j!["dataSource"]!["dataLocation"] == "imports/" + blob);
            return job is not null;
        }, "the failed job is recorded");
        Assert.Equal("CREATE FAILED", (string?)job!["status"]);
        Assert.Contains(reason, (string?)job["failureReason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_schema_is_rejected_with_every_problem_listed()
    {
        var schema = """
            {"type":"record","name":"Interactions","fields":[
              {"name":"USER_ID","type":"int"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"string"}]}
            """;
        var problem = await SendAsync(HttpMethod.Post, "/api/manage/schemas", new JsonObject { ["name"] = "broken", ["schema"] = schema }, HttpStatusCode.BadRequest);

        var errors = problem!["errors"]!.AsObject();
        Assert.True(errors.Count >= 2, errors.ToJsonString());
        await SendAsync(HttpMethod.Get, "/api/manage/schemas/broken", expected: HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task MovieLens_ratings_and_movies_import_with_the_right_row_counts()
    {
        var ratingsSchema = """
            {"type":"record","name":"Interactions","fields":[
              {"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"EVENT_VALUE","type":"float"}]}
            """;
        await CreateGroupWithInteractionsAsync("movielens", ratingsSchema, new JsonObject { ["movieId"] = "ITEM_ID", ["rating"] = "EVENT_VALUE" });
        await SendAsync(HttpMethod.Post, "/api/manage/schemas", new JsonObject
        {
            ["name"] = "movielens-items",
            ["schema"] = """
                {"type":"record","name":"Items","fields":[
                  {"name":"ITEM_ID","type":"string"},{"name":"TITLE","type":"string","textual":true},{"name":"GENRES","type":"string","categorical":true}]}
                """,
        }, HttpStatusCode.Created);
        await SendAsync(HttpMethod.Post, "/api/manage/datasets", new JsonObject
        {
            ["name"] = "movielens-items",
            ["datasetGroupArn"] = "movielens",
            ["datasetType"] = "Items",
            ["schemaArn"] = "movielens-items",
            ["columnMapping"] = new JsonObject { ["movieId"] = "ITEM_ID" },
        }, HttpStatusCode.Created);

        var data = Path.Combine(RepositoryPaths.Shared, "data", "ml-latest-small");
        await DropFileAsync("movielens/Interactions/ratings.csv", Path.Combine(data, "ratings.csv"));
        await DropFileAsync("movielens/Items/movies.csv", Path.Combine(data, "movies.csv"));

        var ratings = await WaitForJobAsync("movielens", "movielens/Interactions/ratings.csv");
        Assert.Equal("ACTIVE", (string?)ratings["status"]);
        Assert.Equal(100_836, (long)ratings["rowsImported"]!);
        Assert.Equal(0, (long)ratings["rowsRejected"]!);

        var store = _host.Services.GetRequiredService<IDatasetSegmentStore>();
        await Eventually.HoldsAsync(async () => (await store.ReadManifestAsync("movielens", DatasetType.Items)).Rows == 9_742, "movies.csv is imported");
        var training = (await _host.Services.GetRequiredService<TrainingDataReader>().LoadInteractionsAsync("movielens")).Build();
        Assert.Equal(610, training.Users.Count);
        Assert.Equal(9_724, training.Items.Count);
    }
}
