using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Recsys.Data.Synthetic;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>
/// Batch inference and segment jobs end to end on the dev host: a generated shop imported and trained with
/// user-personalization, then JSON-lines files in the jobs container answered line by line by the batchJob function.
/// </summary>
public sealed class BatchJobsTests : IAsyncLifetime
{
    private Azurite _azurite = null!;
    private FunctionsHost _host = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        _host = await FunctionsHost.StartAsync(_azurite.ConnectionString);
        _directory = Directory.CreateTempSubdirectory("recsys-batch-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _azurite.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body = null, HttpStatusCode expected = HttpStatusCode.OK)
        => _host.SendJsonAsync(method, path, body, expected);

    private SyntheticDataset _generated = null!;

    private async Task<(string Version, string[] Items, string Category)> TrainAsync()
    {
        var generated = _generated = await ShopSetup.ImportAsync(_host, _directory, new SyntheticDataOptions { Seed = 5, Interactions = 20_000, Users = 400, Items = 200 }, withUsers: true);
        var version = await ShopSetup.TrainAsync(_host, await ShopSetup.CreateSolutionAsync(_host));

        var rows = File.ReadLines(generated.ItemsCsv).Skip(1).Take(5).Select(l => l.Split(',')).ToArray();
        return (version, rows.Select(r => r[0]).ToArray(), rows[0][1]);
    }

    private async Task UploadAsync(string path, params string[] lines)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var container = _host.Storage.Container(path[..slash]);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(path[(slash + 1)..]).UploadAsync(BinaryData.FromString(string.Join('\n', lines) + "\n"), overwrite: true);
    }

    private async Task<JsonObject[]> DownloadLinesAsync(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var content = (await _host.Storage.Container(path[..slash]).GetBlobClient(path[(slash + 1)..]).DownloadContentAsync()).Value.Content.ToString();
        return content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
    }

    private async Task<JsonNode> WaitAsync(string route, string key, string job)
    {
        JsonNode? described = null;
        await Eventually.HoldsAsync(async () =>
        {
            described = (await SendAsync(HttpMethod.Get, $"/api/manage/{route}/{job}"))![key];
            return (string?)described!["status"] is "ACTIVE" or "CREATE FAILED";
        }, $"{job} finishes", TimeSpan.FromSeconds(60));
        return described!;
    }

    [Fact]
    public async Task Batch_inference_and_segment_jobs_answer_every_line_and_report_malformed_ones()
    {
        var (version, items, category) = await TrainAsync();

        // Inference: user lines, a related-items line, a ranking line, a malformed line and a line without ids.
        await UploadAsync("jobs/in/users.json",
            """{"userId":"u1"}""",
            """{"userId":"u2"}""",
            $$"""{"itemId":"{{items[0]}}"}""",
            $$"""{"userId":"u3","itemList":["{{items[0]}}","{{items[1]}}","unknown-item","{{items[2]}}"]}""",
            """{"userId": "u4" oops""",
            """{"other":"x"}""");
        await SendAsync(HttpMethod.Post, "/api/manage/batch-inference-jobs", new JsonObject
        {
            ["jobName"] = "users-batch", ["solutionVersionArn"] = version, ["numResults"] = 7,
            ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = "s3://jobs/in/users.json" } },
            ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "s3://jobs/out/" } },
        }, HttpStatusCode.Created);

        var job = await WaitAsync("batch-inference-jobs", "batchInferenceJob", "users-batch");
        Assert.Equal("ACTIVE", (string?)job["status"]);
        Assert.Equal(6, (long)job["linesRead"]!);
        Assert.Equal(2, (long)job["linesFailed"]!);
        Assert.Equal("jobs/out/users.json.out", (string?)job["outputFile"]);

        var lines = await DownloadLinesAsync("jobs/out/users.json.out");
        Assert.Equal(6, lines.Length);
        foreach (var user in lines.Take(2))
        {
            Assert.Null(user["error"]);
            Assert.Equal(7, user["output"]!["recommendedItems"]!.AsArray().Count);
            Assert.Equal(7, user["output"]!["scores"]!.AsArray().Count);
        }

        Assert.Equal("u1", (string?)lines[0]["input"]!["userId"]);
        var related = lines[2]["output"]!["recommendedItems"]!.AsArray().Select(i => (string)i!).ToArray();
        Assert.Equal(7, related.Length);
        Assert.DoesNotContain(items[0], related);
        var ranked = lines[3]["output"]!["recommendedItems"]!.AsArray().Select(i => (string)i!).ToArray();
        Assert.Equal(new[] { items[0], items[1], items[2], "unknown-item" }.Order(), ranked.Order());
        Assert.Equal("unknown-item", ranked[^1]);
        Assert.Null(lines[4]["output"]);
        Assert.Contains("Malformed JSON", (string?)lines[4]["error"], StringComparison.Ordinal);
        Assert.Equal("""{"userId": "u4" oops""", (string?)lines[4]["input"]);
        Assert.NotNull((string?)lines[5]["error"]);

        var list = (await SendAsync(HttpMethod.Get, "/api/manage/batch-inference-jobs"))!["batchInferenceJobs"]!.AsArray();
        Assert.Single(list);

        // Segments: users for an item (any recipe) and for attribute values (item-attribute-affinity, which keeps item metadata).
        var affinity = await ShopSetup.TrainAsync(_host, (string)(await SendAsync(HttpMethod.Post, "/api/manage/solutions", new JsonObject
        {
            ["name"] = "shop-attributes", ["datasetGroupArn"] = ShopSetup.DatasetGroup, ["recipeArn"] = "arn:aws:personalize:::recipe/aws-item-attribute-affinity",
        }, HttpStatusCode.Created))!["solutionArn"]!);
        string[] segmentLines =
        [
            $$"""{"itemId":"{{items[0]}}"}""",
            $$"""{"itemAttributes":"ITEMS.CATEGORY_L1 = \"{{category}}\""}""",
            """{"itemAttributes":"nonsense"}""",
            $$"""{"itemAttributes":"ITEMS.CATEGORY_L1 = \"{{category}}\" OR ITEMS.CATEGORY_L1 = \"no-such\""}""",
            $$"""{"itemAttributes":"ITEMS.CATEGORY_L1 = \"{{category}}\" AND ITEMS.CATEGORY_L1 = \"no-such\""}""",
        ];
        await UploadAsync("jobs/segments/in.json", segmentLines);
        foreach (var (name, solutionVersion) in new[] { ("segments", version), ("attribute-segments", affinity) })
        {
            await SendAsync(HttpMethod.Post, "/api/manage/batch-segment-jobs", new JsonObject
            {
                ["jobName"] = name, ["solutionVersionArn"] = solutionVersion, ["numResults"] = 10,
                ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = "jobs/segments/in.json" } },
                ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = $"jobs/{name}/out/" } },
            }, HttpStatusCode.Created);
            Assert.Equal("ACTIVE", (string?)(await WaitAsync("batch-segment-jobs", "batchSegmentJob", name))["status"]);
        }

        // user-personalization: users for the item; attribute lines are reported (no item metadata in that model).
        var segments = await DownloadLinesAsync("jobs/segments/out/in.json.out");
        Assert.Equal(5, segments.Length);
        Assert.Equal(10, segments[0]["output"]!["recommendedUsers"]!.AsArray().Count);
        Assert.All(segments.Skip(1), line => Assert.NotNull((string?)line["error"]));
        Assert.Contains("item-attribute-affinity", (string?)segments[1]["error"], StringComparison.Ordinal);

        // item-attribute-affinity: one condition, OR with a value no item has (same users), AND with it (none).
        var attributes = await DownloadLinesAsync("jobs/attribute-segments/out/in.json.out");
        var byCategory = attributes[1]["output"]!["recommendedUsers"]!.AsArray().Select(u => (string)u!).ToArray();
        Assert.Equal(10, byCategory.Length);
        Assert.NotNull((string?)attributes[2]["error"]);
        Assert.Equal(byCategory, attributes[3]["output"]!["recommendedUsers"]!.AsArray().Select(u => (string)u!));
        Assert.Empty(attributes[4]["output"]!["recommendedUsers"]!.AsArray());

        // A UserID filter with a parameter per line: only members of the given level, still ranked by affinity.
        await SendAsync(HttpMethod.Post, "/api/manage/filters", new JsonObject
        {
            ["name"] = "membership", ["datasetGroupArn"] = ShopSetup.DatasetGroup, ["filterExpression"] = "INCLUDE UserID WHERE Users.MEMBERSHIP IN ($LEVEL)",
        }, HttpStatusCode.Created);
        var membership = File.ReadLines(_generated.UsersCsv).Skip(1).Select(l => l.Split(',')).ToDictionary(r => r[0], r => r[2]);
        var level = membership["u1"];
        await UploadAsync("jobs/segments/filtered.json", $$$"""{"itemId":"{{{items[0]}}}","filterValues":{"LEVEL":"\"{{{level}}}\""}}""", $$"""{"itemId":"{{items[0]}}"}""");
        await SendAsync(HttpMethod.Post, "/api/manage/batch-segment-jobs", new JsonObject
        {
            ["jobName"] = "filtered", ["solutionVersionArn"] = version, ["numResults"] = 10, ["filterArn"] = "membership",
            ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = "jobs/segments/filtered.json" } },
            ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "jobs/filtered/out/" } },
        }, HttpStatusCode.Created);
        Assert.Equal("ACTIVE", (string?)(await WaitAsync("batch-segment-jobs", "batchSegmentJob", "filtered"))["status"]);
        var filtered = await DownloadLinesAsync("jobs/filtered/out/filtered.json.out");
        var members = filtered[0]["output"]!["recommendedUsers"]!.AsArray().Select(u => (string)u!).ToArray();
        Assert.Equal(10, members.Length);
        Assert.All(members, u => Assert.Equal(level, membership[u]));
        Assert.Contains("LEVEL", (string?)filtered[1]["error"], StringComparison.Ordinal); // an INCLUDE parameter is required

        // An ItemID filter is refused for a segment job at creation.
        await SendAsync(HttpMethod.Post, "/api/manage/filters", new JsonObject
        {
            ["name"] = "items-only", ["datasetGroupArn"] = ShopSetup.DatasetGroup, ["filterExpression"] = "EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN (\"x\")",
        }, HttpStatusCode.Created);
        await SendAsync(HttpMethod.Post, "/api/manage/batch-segment-jobs", new JsonObject
        {
            ["jobName"] = "wrong-filter", ["solutionVersionArn"] = version, ["filterArn"] = "items-only",
            ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = "jobs/segments/filtered.json" } },
            ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "jobs/filtered/out/" } },
        }, HttpStatusCode.BadRequest);

        // Bad requests are rejected at creation.
        await SendAsync(HttpMethod.Post, "/api/manage/batch-inference-jobs", new JsonObject
        {
            ["jobName"] = "missing-input", ["solutionVersionArn"] = version,
            ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = "jobs/in/none.json" } },
            ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "jobs/out/" } },
        }, HttpStatusCode.BadRequest);
    }
}
