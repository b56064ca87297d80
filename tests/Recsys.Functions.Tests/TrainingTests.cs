using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Core.Datasets;
using Recsys.Core.Jobs;
using Recsys.Core.Solutions;
using Recsys.Data.Schemas;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>Recipes, solutions, training jobs, metrics and model loading end to end on the dev host.</summary>
public sealed class TrainingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string InteractionsSchema = """
        {"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","version":"1.0","fields":[
          {"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},
          {"name":"EVENT_TYPE","type":"string"}]}
        """;

    private FunctionsHost? _host;

    private FunctionsHost Host => _host!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private async Task StartAsync(bool trainingJobEnabled = true)
        => _host = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["AzureWebJobs.trainingJob.Disabled"] = trainingJobEnabled ? "false" : "true",
        });

    private Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body = null, HttpStatusCode expected = HttpStatusCode.OK)
        => Host.SendJsonAsync(method, path, body, expected);

    /// <summary>A dataset group with <paramref name="users"/> users of two communities, each with 25 interactions.</summary>
    private async Task CreateGroupWithDataAsync(string group, int users)
    {
        await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = group }, HttpStatusCode.Created);
        await SendAsync(HttpMethod.Post, "/api/manage/schemas", new JsonObject { ["name"] = group + "-interactions", ["schema"] = InteractionsSchema }, HttpStatusCode.Created);
        await SendAsync(HttpMethod.Post, "/api/manage/datasets", new JsonObject
        {
            ["name"] = group + "-interactions",
            ["datasetGroupArn"] = "arn:recsys:personalize:::dataset-group/" + group,
            ["datasetType"] = "Interactions",
            ["schemaArn"] = "arn:recsys:personalize:::schema/" + group + "-interactions",
        }, HttpStatusCode.Created);

        var csv = new StringBuilder("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n");
        for (var u = 0; u < users; u++)
        {
            for (var k = 0; k < 25; k++)
            {
                csv.Append($"u{u},{(u % 2 == 0 ? "a" : "b")}{(u + k) % 30},{1_700_000_000 + (u * 1000) + k},click\n");
            }
        }

        await Host.Storage.Container(StorageNames.ImportsContainer).GetBlobClient($"{group}/Interactions/data.csv").UploadAsync(BinaryData.FromString(csv.ToString()), overwrite: true);
        await Eventually.HoldsAsync(async () =>
        {
            var manifest = await Host.Services.GetRequiredService<IDatasetSegmentStore>().ReadManifestAsync(group, DatasetType.Interactions);
            return manifest.Rows == users * 25;
        }, $"the import of {group} is committed", TimeSpan.FromSeconds(60));
    }

    private async Task<string> CreateSolutionAsync(string name, string group, string recipe, JsonObject? hyperparameters = null)
        => (string)(await SendAsync(HttpMethod.Post, "/api/manage/solutions", new JsonObject
        {
            ["name"] = name,
            ["datasetGroupArn"] = "arn:recsys:personalize:::dataset-group/" + group,
            ["recipeArn"] = "arn:aws:personalize:::recipe/aws-" + recipe,
            ["solutionConfig"] = new JsonObject { ["algorithmHyperParameters"] = hyperparameters },
        }, HttpStatusCode.Created))!["solutionArn"]!;

    private async Task<string> CreateVersionAsync(string solutionArn)
        => (string)(await SendAsync(HttpMethod.Post, "/api/manage/solution-versions", new JsonObject { ["solutionArn"] = solutionArn }, HttpStatusCode.Created))!["solutionVersionArn"]!;

    private async Task<JsonNode> WaitForVersionAsync(string versionArn)
    {
        JsonNode? version = null;
        await Eventually.HoldsAsync(async () =>
        {
            version = (await SendAsync(HttpMethod.Get, "/api/manage/solution-versions/" + Uri.EscapeDataString(versionArn)))!["solutionVersion"];
            return (string?)version!["status"] is "ACTIVE" or "CREATE FAILED";
        }, $"{versionArn} finishes training", TimeSpan.FromSeconds(90));
        return version!;
    }

    [Fact]
    public async Task Recipes_are_described_and_bad_requests_name_the_field()
    {
        await StartAsync(trainingJobEnabled: false);
        var recipes = (await SendAsync(HttpMethod.Get, "/api/manage/recipes"))!["recipes"]!.AsArray();
        Assert.Equal(8, recipes.Count);
        var sims = (await SendAsync(HttpMethod.Get, "/api/manage/recipes/aws-sims"))!["recipe"]!;
        var discount = sims["hyperparameters"]!.AsArray().Single(h => (string?)h!["name"] == "popularity_discount_factor")!;
        Assert.Equal("0.5", (string?)discount["defaultValue"]);
        Assert.Equal(1.0, (double)discount["maxValue"]!);
        await SendAsync(HttpMethod.Get, "/api/manage/recipes/aws-hrnn", expected: HttpStatusCode.NotFound);

        await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = "badrequests" }, HttpStatusCode.Created);
        var unknown = await SendAsync(HttpMethod.Post, "/api/manage/solutions", new JsonObject
        {
            ["name"] = "s1", ["datasetGroupArn"] = "badrequests", ["recipeArn"] = "arn:aws:personalize:::recipe/aws-nothing",
        }, HttpStatusCode.NotFound);
        Assert.Contains("aws-nothing", (string?)unknown!["detail"], StringComparison.Ordinal);

        var bad = await SendAsync(HttpMethod.Post, "/api/manage/solutions", new JsonObject
        {
            ["name"] = "s1", ["datasetGroupArn"] = "badrequests", ["recipeArn"] = "user-personalization", ["performHPO"] = true,
            ["solutionConfig"] = new JsonObject
            {
                ["algorithmHyperParameters"] = new JsonObject { ["als_factors"] = "1000", ["model"] = "transformer" },
                ["hpoConfig"] = new JsonObject
                {
                    ["algorithmHyperParameterRanges"] = new JsonObject
                    {
                        ["integerHyperParameterRanges"] = new JsonArray(new JsonObject { ["name"] = "als_factors", ["minValue"] = 2, ["maxValue"] = 64 }),
                    },
                },
            },
        }, HttpStatusCode.BadRequest);
        var errors = bad!["errors"]!.AsObject();
        Assert.Contains("between 4 and 256", (string?)errors["solutionConfig.algorithmHyperParameters.als_factors"]![0], StringComparison.Ordinal);
        Assert.Contains("auto", (string?)errors["solutionConfig.algorithmHyperParameters.model"]![0], StringComparison.Ordinal);
        Assert.True(errors.ContainsKey("solutionConfig.hpoConfig.algorithmHyperParameterRanges.integerHyperParameterRanges[0]"), errors.ToJsonString());
    }

    [Fact]
    public async Task Insufficient_data_is_rejected_when_the_version_is_requested()
    {
        await StartAsync(trainingJobEnabled: false);
        await CreateGroupWithDataAsync("tiny", users: 8);
        var solution = await CreateSolutionAsync("tiny-up", "tiny", "user-personalization");

        var problem = await SendAsync(HttpMethod.Post, "/api/manage/solution-versions", new JsonObject { ["solutionArn"] = solution }, HttpStatusCode.BadRequest);

        Assert.Contains("200 interactions", (string?)problem!["errors"]!["solutionArn"]![0], StringComparison.Ordinal);
        Assert.Contains("at least 1000", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Empty((await SendAsync(HttpMethod.Get, "/api/manage/solution-versions?solutionArn=tiny-up"))!["solutionVersions"]!.AsArray());
    }

    [Fact]
    public async Task A_solution_is_trained_evaluated_and_loaded_from_blob_storage_and_a_duplicate_message_changes_nothing()
    {
        await StartAsync();
        await CreateGroupWithDataAsync("shop", users: 60);
        var personalization = await CreateSolutionAsync("shop-up", "shop", "user-personalization");
        var ranking = await CreateSolutionAsync("shop-pr", "shop", "personalized-ranking", new JsonObject { ["model"] = "item-knn", ["ranking_trees"] = "20" });
        var upVersion = await CreateVersionAsync(personalization);
        var prVersion = await CreateVersionAsync(ranking);
        await SendAsync(HttpMethod.Post, "/api/manage/solution-versions", new JsonObject { ["solutionArn"] = personalization }, HttpStatusCode.Conflict);

        var trained = await WaitForVersionAsync(upVersion);
        Assert.True((string?)trained["status"] == "ACTIVE", trained.ToJsonString());
        Assert.Equal(100, (int)trained["percentComplete"]!);
        Assert.Equal("DONE", (string?)trained["phase"]);
        Assert.NotNull(trained["tunedHPOParams"]!["algorithmHyperParameters"]!["model"]);

        var metrics = (await SendAsync(HttpMethod.Get, $"/api/manage/solution-versions/{Uri.EscapeDataString(upVersion)}/metrics"))!;
        Assert.Equal(upVersion, (string?)metrics["solutionVersionArn"]);
        foreach (var key in new[] { "coverage", "mean_reciprocal_rank_at_25", "normalized_discounted_cumulative_gain_at_5", "normalized_discounted_cumulative_gain_at_10",
            "normalized_discounted_cumulative_gain_at_25", "precision_at_5", "precision_at_10", "precision_at_25", "recall_at_25", "mean_average_precision" })
        {
            Assert.NotNull(metrics["metrics"]![key]);
        }

        Assert.Equal(6, (int)metrics["evaluation"]!["testUsers"]!);
        Assert.Equal(60, (int)metrics["evaluation"]!["catalogItems"]!);
        Assert.True((double)metrics["metrics"]!["precision_at_10"]! > 0.1, metrics.ToJsonString());

        // The model round-trips through Blob Storage: recommendations stay within the user's community.
        var model = await Host.Services.GetRequiredService<SolutionModelLoader>().LoadAsync(upVersion);
        Assert.All(model.Recommend("u2", null, 3), s => Assert.StartsWith("a", s.Id, StringComparison.Ordinal));
        Assert.All(model.Recommend("someone-new", ["b1", "b2"], 3), s => Assert.StartsWith("b", s.Id, StringComparison.Ordinal));

        var rankingVersion = await WaitForVersionAsync(prVersion);
        Assert.True((string?)rankingVersion["status"] == "ACTIVE", rankingVersion.ToJsonString());
        var rankingMetrics = (await SendAsync(HttpMethod.Get, $"/api/manage/solution-versions/{Uri.EscapeDataString(prVersion)}/metrics"))!;
        Assert.NotNull(rankingMetrics["evaluation"]!["rankingImprovement"]!["rankedNdcgAt10"]);
        var ranker = await Host.Services.GetRequiredService<SolutionModelLoader>().LoadAsync(prVersion);
        Assert.True(ranker.HasRanker);
        var ranked = ranker.Rank("u2", ["b1", "a7", "unknown", "a28"]);
        Assert.Equal("unknown", ranked[^1].Id);
        Assert.Equal(["a28", "a7"], ranked.Take(2).Select(r => r.Id).Order());

        // A duplicated or retried message for the finished version does nothing: the worker takes it and ends it.
        var parts = upVersion.Split('/');
        var queue = Host.Storage.Queue(StorageNames.TrainingJobsQueue);
        await Host.Services.GetRequiredService<IJobScheduler>().SendAsync(new TrainingJobMessage(parts[^2], parts[^1]));
        await Eventually.HoldsAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "the repeated message is taken");
        var versions = (await SendAsync(HttpMethod.Get, "/api/manage/solution-versions?solutionArn=shop-up"))!["solutionVersions"]!.AsArray();
        Assert.Equal("ACTIVE", (string?)Assert.Single(versions)!["status"]);
    }

    [Fact]
    public async Task A_training_job_that_crashes_half_way_leaves_the_version_failed_with_the_reason_and_no_model()
    {
        await StartAsync(trainingJobEnabled: false);
        await CreateGroupWithDataAsync("crashy", users: 60);
        var solution = await CreateSolutionAsync("crashy-up", "crashy", "user-personalization", new JsonObject { ["model"] = "als" });
        var versionArn = await CreateVersionAsync(solution);

        // The data disappears under the job after it was accepted: reading the segment fails half-way through loading.
        var datasets = Host.Storage.Container(StorageNames.DatasetsContainer);
        await foreach (var blob in datasets.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"crashy/{Dataset.TypeKey(DatasetType.Interactions)}/segments/", CancellationToken.None))
        {
            await datasets.DeleteBlobAsync(blob.Name);
        }

        // Its last delivery (the runner called as the trainingJob function calls it) fails the version with the error.
        var parts = versionArn.Split('/');
        var outcome = await Host.Services.GetRequiredService<TrainingRunner>().RunAsync(parts[^2], parts[^1], new JobDelivery(5, IsLast: true));

        Assert.Equal(JobRunResult.Ran, outcome.Result);
        var version = (await SendAsync(HttpMethod.Get, "/api/manage/solution-versions/" + Uri.EscapeDataString(versionArn)))!["solutionVersion"]!;
        Assert.Equal("CREATE FAILED", (string?)version["status"]);
        Assert.Contains("each of its 5 deliveries", (string?)version["failureReason"], StringComparison.Ordinal);
        Assert.Equal("LOADING_DATA", (string?)version["phase"]);
        Assert.Null(await Host.Services.GetRequiredService<ISolutionModelStore>().ReadManifestAsync(parts[^2], parts[^1]));
        await SendAsync(HttpMethod.Get, $"/api/manage/solution-versions/{Uri.EscapeDataString(versionArn)}/metrics", expected: HttpStatusCode.Conflict);
    }
}
