using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Data.Synthetic;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>
/// Serving end to end on the dev host: a generated shop imported, trained with user-personalization, deployed as a
/// campaign, and queried through the runtime API with real-time events, filters, a promotion, exploration and metadata.
/// One trained campaign serves all the checks, in order.
/// </summary>
public sealed class ServingTests : IAsyncLifetime
{
    private Azurite _azurite = null!;
    private FunctionsHost _host = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        // A zero model-cache budget: every newly loaded model evicts the others, which the swap below checks.
        _host = await FunctionsHost.StartAsync(_azurite.ConnectionString, new Dictionary<string, string?> { ["Recsys:Serving:ModelCacheMegabytes"] = "0", ["Recsys:Serving:CatalogRefreshSeconds"] = "1" });
        _directory = Directory.CreateTempSubdirectory("recsys-serving-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _azurite.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body = null, HttpStatusCode expected = HttpStatusCode.OK, string key = FunctionsHost.MasterKey)
        => _host.SendJsonAsync(method, path, body, expected, key);

    private Task<JsonNode?> RecommendAsync(JsonObject body, HttpStatusCode expected = HttpStatusCode.OK)
        => SendAsync(HttpMethod.Post, "/api/recommendations", body, expected, FunctionsHost.HostKey);

    private static string[] Ids(JsonNode? response) => response!["itemList"]!.AsArray().Select(i => (string)i!["itemId"]!).ToArray();

    private string _solution = null!;

    private Task<string> TrainAsync() => ShopSetup.TrainAsync(_host, _solution);

    private async Task<string> DeployAsync()
    {
        await ShopSetup.ImportAsync(_host, _directory, new SyntheticDataOptions { Seed = 3, Interactions = 30_000, Users = 600, Items = 300 });
        _solution = await ShopSetup.CreateSolutionAsync(_host);
        var version = await TrainAsync();

        var campaign = (string)(await SendAsync(HttpMethod.Post, "/api/manage/campaigns", new JsonObject
        {
            ["name"] = "shop-campaign",
            ["solutionVersionArn"] = version,
            ["campaignConfig"] = new JsonObject
            {
                ["itemExplorationConfig"] = new JsonObject { ["explorationWeight"] = "0.4", ["explorationItemAgeCutOff"] = "100000" },
                ["enableMetadataWithRecommendations"] = true,
            },
        }, HttpStatusCode.Created))!["campaignArn"]!;
        return campaign;
    }

    [Fact]
    public async Task A_campaign_serves_personal_real_time_filtered_promoted_and_exploring_recommendations()
    {
        var campaign = await DeployAsync();

        // Top-N for a known user, with Personalize's shape.
        var first = await RecommendAsync(new JsonObject { ["campaignArn"] = campaign, ["userId"] = "u1" });
        Assert.Equal(25, Ids(first).Length);
        Assert.Equal(25, Ids(first).Distinct().Count());
        Assert.StartsWith("RID-", (string?)first!["recommendationId"], StringComparison.Ordinal);
        Assert.Contains(first["itemList"]!.AsArray(), i => ((string?)i!["reason"]?[0])?.StartsWith("Exploration", StringComparison.Ordinal) == true);

        // Bad requests.
        await RecommendAsync(new JsonObject { ["campaignArn"] = campaign, ["userId"] = "u1", ["numResults"] = 501 }, HttpStatusCode.BadRequest);
        await RecommendAsync(new JsonObject { ["campaignArn"] = "no-such-campaign", ["userId"] = "u1" }, HttpStatusCode.NotFound);
        await SendAsync(HttpMethod.Post, "/api/recommendations", new JsonObject { ["campaignArn"] = campaign, ["userId"] = "u1" }, HttpStatusCode.Unauthorized, key: "wrong");

        // A new user gets popular items until their first events, then personal ones.
        var tracker = await SendAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject { ["name"] = "shop-tracker", ["datasetGroupArn"] = "shop" }, HttpStatusCode.Created);
        var before = Ids(await RecommendAsync(new JsonObject { ["campaignArn"] = campaign, ["userId"] = "newcomer", ["numResults"] = 10 }));
        var clicked = Ids(first).Take(3).ToArray();
        var events = new JsonArray();
        for (var i = 0; i < clicked.Length; i++)
        {
            events.Add(new JsonObject { ["eventId"] = "e" + i, ["eventType"] = "click", ["itemId"] = clicked[i], ["sentAt"] = 1_735_000_000 + i });
        }

        await SendAsync(HttpMethod.Post, "/api/events", new JsonObject
        {
            ["trackingId"] = tracker!["trackingId"]!.DeepClone(), ["sessionId"] = "s-newcomer", ["userId"] = "newcomer", ["eventList"] = events,
        }, key: FunctionsHost.HostKey);
        var after = Ids(await RecommendAsync(new JsonObject { ["campaignArn"] = campaign, ["userId"] = "newcomer", ["numResults"] = 10 }));
        Assert.NotEqual(before, after);
        Assert.DoesNotContain(after, clicked.Contains);

        // A filter with a parameter: nothing of the excluded category, and metadata to prove it.
        await SendAsync(HttpMethod.Post, "/api/manage/filters", new JsonObject
        {
            ["name"] = "not-category", ["datasetGroupArn"] = "shop",
            ["filterExpression"] = "EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)",
        }, HttpStatusCode.Created);
        var category = (string)first["itemList"]![0]!["itemId"]!;
        var withMeta = await RecommendAsync(new JsonObject
        {
            ["campaignArn"] = campaign, ["userId"] = "u1", ["numResults"] = 20,
            ["metadataColumns"] = new JsonObject { ["ITEMS"] = new JsonArray("CATEGORY_L1") },
        });
        var topCategory = (string)withMeta!["itemList"]![0]!["metadata"]!["CATEGORY_L1"]!;
        var filtered = await RecommendAsync(new JsonObject
        {
            ["campaignArn"] = campaign, ["userId"] = "u1", ["numResults"] = 20,
            ["filterArn"] = "not-category", ["filterValues"] = new JsonObject { ["CATEGORY"] = $"\"{topCategory}\"" },
            ["metadataColumns"] = new JsonObject { ["ITEMS"] = new JsonArray("CATEGORY_L1") },
        });
        Assert.Equal(20, Ids(filtered).Length);
        Assert.All(filtered!["itemList"]!.AsArray(), i => Assert.NotEqual(topCategory, (string?)i!["metadata"]?["CATEGORY_L1"]));
        Assert.NotNull(category);

        // An INCLUDE filter without its parameter is a 400 naming it.
        await SendAsync(HttpMethod.Post, "/api/manage/filters", new JsonObject
        {
            ["name"] = "only-category", ["datasetGroupArn"] = "shop",
            ["filterExpression"] = "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)",
        }, HttpStatusCode.Created);
        var missing = await RecommendAsync(new JsonObject { ["campaignArn"] = campaign, ["userId"] = "u1", ["filterArn"] = "only-category" }, HttpStatusCode.BadRequest);
        Assert.Contains("CATEGORY", missing!["errors"]!.ToJsonString(), StringComparison.Ordinal);

        // A promotion takes its share from its own filter.
        var promoted = await RecommendAsync(new JsonObject
        {
            ["campaignArn"] = campaign, ["userId"] = "u1", ["numResults"] = 10,
            ["promotions"] = new JsonArray(new JsonObject
            {
                ["name"] = "spotlight", ["percentPromotedItems"] = 30, ["filterArn"] = "only-category",
                ["filterValues"] = new JsonObject { ["CATEGORY"] = $"\"{topCategory}\"" },
            }),
            ["metadataColumns"] = new JsonObject { ["ITEMS"] = new JsonArray("CATEGORY_L1") },
        });
        var spotlight = promoted!["itemList"]!.AsArray().Where(i => (string?)i!["promotionName"] == "spotlight").ToList();
        Assert.Equal(3, spotlight.Count);
        Assert.All(spotlight, i => Assert.Equal(topCategory, (string?)i!["metadata"]!["CATEGORY_L1"]));

        // Related items, for a known and an unknown item.
        Assert.Equal(5, Ids(await RecommendAsync(new JsonObject { ["campaignArn"] = campaign, ["itemId"] = clicked[0], ["numResults"] = 5 })).Length);
        Assert.Equal(5, Ids(await RecommendAsync(new JsonObject { ["campaignArn"] = campaign, ["itemId"] = "no-such-item", ["numResults"] = 5 })).Length);

        // Personalized ranking: unknown items last, without a score.
        var ranking = await SendAsync(HttpMethod.Post, "/api/personalize-ranking", new JsonObject
        {
            ["campaignArn"] = campaign, ["userId"] = "u1", ["inputList"] = new JsonArray("i1", "unknown-item", "i2", "i3"),
        }, key: FunctionsHost.HostKey);
        var ranked = ranking!["personalizedRanking"]!.AsArray();
        Assert.Equal(4, ranked.Count);
        Assert.Equal("unknown-item", (string?)ranked[3]!["itemId"]);
        Assert.Null(ranked[3]!["score"]);

        // Interaction filters see imported interactions too: what u1 viewed in the imported file is excluded.
        var lines = File.ReadLines(Path.Combine(_directory, "interactions.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var viewed = lines.Where(f => f[0] == "u1" && f[3] == "view").Select(f => f[1]).Distinct().Take(3).ToArray();
        var notSeen = lines.Select(f => f[1]).Distinct().Where(i => !lines.Any(f => f[0] == "u1" && f[1] == i)).Take(3).ToArray();
        Assert.NotEmpty(viewed);
        await SendAsync(HttpMethod.Post, "/api/manage/filters", new JsonObject
        {
            ["name"] = "not-viewed", ["datasetGroupArn"] = "shop", ["filterExpression"] = "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"view\")",
        }, HttpStatusCode.Created);
        var unviewed = await SendAsync(HttpMethod.Post, "/api/personalize-ranking", new JsonObject
        {
            ["campaignArn"] = campaign, ["userId"] = "u1", ["filterArn"] = "not-viewed",
            ["inputList"] = new JsonArray([.. viewed.Concat(notSeen).Select(i => (JsonNode)i)]),
        }, key: FunctionsHost.HostKey);
        Assert.Equal(notSeen.Order(), unviewed!["personalizedRanking"]!.AsArray().Select(i => (string)i!["itemId"]!).Order());

        // A brand-new item sent with PutItems reaches the catalogue without retraining, and exploration offers it.
        await SendAsync(HttpMethod.Post, "/api/items", new JsonObject
        {
            ["datasetArn"] = "shop/ITEMS",
            ["items"] = new JsonArray(new JsonObject
            {
                ["itemId"] = "brand-new-item",
                ["properties"] = new JsonObject
                {
                    ["categoryL1"] = "books", ["categoryL2"] = "books_1", ["price"] = 9.5, ["creationTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                }.ToJsonString(),
            }),
        }, key: FunctionsHost.HostKey);
        await Eventually.HoldsAsync(async () =>
        {
            var explored = await RecommendAsync(new JsonObject { ["campaignArn"] = campaign, ["userId"] = "u1" });
            return explored!["itemList"]!.AsArray().Any(i => (string?)i!["itemId"] == "brand-new-item" && ((string?)i["reason"]?[0])?.StartsWith("Exploration", StringComparison.Ordinal) == true);
        }, "the new item is explored", TimeSpan.FromSeconds(20));

        // More bad input: an unknown filter, too many filter values, metadata from a campaign without it.
        await RecommendAsync(new JsonObject { ["campaignArn"] = campaign, ["userId"] = "u1", ["filterArn"] = "no-such-filter" }, HttpStatusCode.NotFound);
        var values = new JsonObject();
        for (var i = 0; i < 26; i++)
        {
            values["P" + i] = "\"x\"";
        }

        var tooMany = await RecommendAsync(new JsonObject { ["campaignArn"] = campaign, ["userId"] = "u1", ["filterArn"] = "not-category", ["filterValues"] = values }, HttpStatusCode.BadRequest);
        Assert.Contains("filterValues", tooMany!["errors"]!.ToJsonString(), StringComparison.Ordinal);

        // Swapping the model: a new version is deployed while requests keep coming, and none of them fails.
        var second = await TrainAsync();
        var failures = 0;
        var served = 0;
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var request = FunctionsHost.WithKey(HttpMethod.Post, "/api/recommendations", FunctionsHost.HostKey, new JsonObject { ["campaignArn"] = campaign, ["userId"] = "u7" });
                using var response = await _host.Client.SendAsync(request);
                Interlocked.Increment(ref served);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        await Task.Delay(300);
        await SendAsync(HttpMethod.Put, "/api/manage/campaigns/shop-campaign", new JsonObject { ["solutionVersionArn"] = second });
        await Task.Delay(6000); // past the campaign cache: the new model is loaded and served
        await stop.CancelAsync();
        await load;
        Assert.True(served > 20, $"only {served} requests were served during the swap");
        Assert.Equal(0, failures);
        var described = (await SendAsync(HttpMethod.Get, "/api/manage/campaigns/shop-campaign"))!["campaign"]!;
        Assert.Equal(second, (string?)described["solutionVersionArn"]);

        // The zero model-cache budget keeps one model per instance: loading the new version evicts the old one (the
        // loader the worker serves with, built here on the same storage and settings).
        var loader = _host.Services.GetRequiredService<Recsys.Core.Solutions.SolutionModelLoader>();
        var firstVersion = (string)(await SendAsync(HttpMethod.Get, "/api/manage/solution-versions?solutionArn=" + Uri.EscapeDataString(_solution)))!["solutionVersions"]!.AsArray()
            .Select(v => (string)v!["solutionVersionArn"]!).First(v => v != second);
        await loader.LoadAsync(firstVersion);
        await loader.LoadAsync(second);
        Assert.Equal(1, loader.Count);

        // A campaign that follows the latest version moves to a newer one by itself.
        await SendAsync(HttpMethod.Post, "/api/manage/campaigns", new JsonObject
        {
            ["name"] = "following", ["solutionVersionArn"] = second, ["campaignConfig"] = new JsonObject { ["syncWithLatestSolutionVersion"] = true },
        }, HttpStatusCode.Created);
        var third = await TrainAsync();
        var following = (await SendAsync(HttpMethod.Get, "/api/manage/campaigns/following"))!["campaign"]!;
        Assert.Equal(third, (string?)following["servingSolutionVersionArn"]);
    }
}
