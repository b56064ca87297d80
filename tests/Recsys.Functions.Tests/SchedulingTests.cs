using System.Net;
using System.Text.Json.Nodes;
using Recsys.Data.Synthetic;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>Helpers shared by the scheduling tests: a small generated shop imported into a dataset group.</summary>
internal static class SchedulingFixture
{
    public static async Task<JsonNode?> SendAsync(FunctionsHost host, HttpMethod method, string path, JsonNode? body = null, HttpStatusCode expected = HttpStatusCode.OK, string key = FunctionsHost.MasterKey)
    {
        using var request = FunctionsHost.WithKey(method, path, key, body);
        using var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>Imports a small generated Interactions dataset into the group <paramref name="group"/>.</summary>
    public static async Task ImportAsync(FunctionsHost host, string group)
    {
        var directory = Directory.CreateTempSubdirectory("recsys-scheduling-").FullName;
        try
        {
            var generated = await SyntheticDataGenerator.GenerateAsync(new SyntheticDataOptions { Seed = 5, Interactions = 6_000, Users = 250, Items = 120 }, directory);
            await SendAsync(host, HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = group }, HttpStatusCode.Created);
            await SendAsync(host, HttpMethod.Post, "/api/manage/schemas", new JsonObject { ["name"] = group + "-Interactions", ["schema"] = SyntheticDataGenerator.InteractionsSchema.ToJson() }, HttpStatusCode.Created);
            await SendAsync(host, HttpMethod.Post, "/api/manage/datasets", new JsonObject
            {
                ["name"] = group + "-Interactions", ["datasetGroupArn"] = group, ["datasetType"] = "Interactions", ["schemaArn"] = group + "-Interactions",
            }, HttpStatusCode.Created);
            await host.Storage.Container(StorageNames.ImportsContainer).GetBlobClient($"{group}/Interactions/{Path.GetFileName(generated.InteractionsCsv)}").UploadAsync(generated.InteractionsCsv, overwrite: true);
            await Eventually.HoldsAsync(async () =>
            {
                var jobs = (await SendAsync(host, HttpMethod.Get, "/api/manage/dataset-import-jobs"))!["datasetImportJobs"]!.AsArray();
                return jobs.Any(j => (string?)j!["status"] == "ACTIVE");
            }, "the import finishes", TimeSpan.FromSeconds(60));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public static JsonObject AutoTrainedSolution(string name, string group, string schedule) => new()
    {
        ["name"] = name,
        ["datasetGroupArn"] = group,
        ["recipeArn"] = "arn:aws:personalize:::recipe/aws-user-personalization",
        ["performAutoTraining"] = true,
        ["solutionConfig"] = new JsonObject { ["autoTrainingConfig"] = new JsonObject { ["schedulingExpression"] = schedule } },
    };

    public static async Task<JsonArray> VersionsAsync(FunctionsHost host, string solution)
        => (await SendAsync(host, HttpMethod.Get, "/api/manage/solution-versions?solutionArn=" + Uri.EscapeDataString(solution)))!["solutionVersions"]!.AsArray();
}

/// <summary>Automatic training settings are validated and stored at createSolution.</summary>
public sealed class SchedulingValidationTests
{
    [Fact]
    public async Task A_schedule_that_does_not_parse_is_rejected_and_a_valid_one_is_stored()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var host = await FunctionsHost.StartAsync(azurite.ConnectionString);
        await SchedulingFixture.SendAsync(host, HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = "g" }, HttpStatusCode.Created);

        foreach (var bad in new[] { "rate(31 days)", "rate(0 days)", "every week", "rate(7 weeks)", "cron(0 3 * * ? *)", "rate(50000 minutes)", "" })
        {
            var problem = await SchedulingFixture.SendAsync(host, HttpMethod.Post, "/api/manage/solutions", SchedulingFixture.AutoTrainedSolution("bad", "g", bad), HttpStatusCode.BadRequest);
            Assert.NotNull(problem!["errors"]!["solutionConfig.autoTrainingConfig.schedulingExpression"]);
        }

        await SchedulingFixture.SendAsync(host, HttpMethod.Post, "/api/manage/solutions", SchedulingFixture.AutoTrainedSolution("every-2-days", "g", "rate(2 days)"), HttpStatusCode.Created);
        var stored = (await SchedulingFixture.SendAsync(host, HttpMethod.Get, "/api/manage/solutions/every-2-days"))!["solution"]!;
        Assert.True((bool)stored["performAutoTraining"]!);
        Assert.Equal("rate(2 days)", (string?)stored["solutionConfig"]!["autoTrainingConfig"]!["schedulingExpression"]);

        // Personalize's defaults: automatic training on, every 7 days; and it can be turned off.
        await SchedulingFixture.SendAsync(host, HttpMethod.Post, "/api/manage/solutions", new JsonObject
        {
            ["name"] = "defaults", ["datasetGroupArn"] = "g", ["recipeArn"] = "aws-user-personalization",
        }, HttpStatusCode.Created);
        var defaults = (await SchedulingFixture.SendAsync(host, HttpMethod.Get, "/api/manage/solutions/defaults"))!["solution"]!;
        Assert.True((bool)defaults["performAutoTraining"]!);
        Assert.Equal("rate(7 days)", (string?)defaults["solutionConfig"]!["autoTrainingConfig"]!["schedulingExpression"]);
        await SchedulingFixture.SendAsync(host, HttpMethod.Post, "/api/manage/solutions", new JsonObject
        {
            ["name"] = "manual", ["datasetGroupArn"] = "g", ["recipeArn"] = "aws-user-personalization", ["performAutoTraining"] = false,
        }, HttpStatusCode.Created);
        Assert.False((bool)(await SchedulingFixture.SendAsync(host, HttpMethod.Get, "/api/manage/solutions/manual"))!["solution"]!["performAutoTraining"]!);
    }
}

/// <summary>
/// A solution on a one-minute schedule retrains by itself on a fast retrain timer, and a campaign that follows the
/// latest version moves to the new one with every request meanwhile succeeding.
/// </summary>
public sealed class AutomaticRetrainingTests
{
    [Fact]
    public async Task A_solution_retrains_by_itself_and_its_sync_campaign_moves_to_the_new_version_without_a_failed_request()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var host = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["RetrainSchedule"] = "*/2 * * * * *",
            ["CampaignRefreshSchedule"] = "*/1 * * * * *",
        });
        await SchedulingFixture.ImportAsync(host, "shop");
        var solution = (string)(await SchedulingFixture.SendAsync(host, HttpMethod.Post, "/api/manage/solutions", SchedulingFixture.AutoTrainedSolution("shop-auto", "shop", "rate(1 minute)"), HttpStatusCode.Created))!["solutionArn"]!;

        // The first automatic version starts at the next timer occurrence (no version yet).
        await Eventually.HoldsAsync(async () => (await SchedulingFixture.VersionsAsync(host, solution)).Any(v => (string?)v!["status"] == "ACTIVE"), "the first automatic version trains", TimeSpan.FromSeconds(60));
        var first = (await SchedulingFixture.VersionsAsync(host, solution)).Single()!;
        Assert.Equal("AUTOMATIC", (string?)first["trainingType"]);
        var firstArn = (string)first["solutionVersionArn"]!;

        var campaign = (string)(await SchedulingFixture.SendAsync(host, HttpMethod.Post, "/api/manage/campaigns", new JsonObject
        {
            ["name"] = "shop-campaign", ["solutionVersionArn"] = firstArn, ["campaignConfig"] = new JsonObject { ["syncWithLatestSolutionVersion"] = true },
        }, HttpStatusCode.Created))!["campaignArn"]!;

        // Requests keep coming while the second version trains and the campaign moves to it.
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var requests = 0;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var request = FunctionsHost.WithKey(HttpMethod.Post, "/api/recommendations", FunctionsHost.HostKey, new JsonObject { ["campaignArn"] = campaign, ["userId"] = "u" + (requests % 50), ["numResults"] = 10 });
                using var response = await host.Client.SendAsync(request, CancellationToken.None);
                requests++;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                }

                await Task.Delay(50, CancellationToken.None);
            }
        });

        string? secondArn = null;
        await Eventually.HoldsAsync(async () =>
        {
            var versions = await SchedulingFixture.VersionsAsync(host, solution);
            secondArn = versions.Where(v => (string?)v!["solutionVersionArn"] != firstArn && (string?)v!["status"] == "ACTIVE").Select(v => (string?)v!["solutionVersionArn"]).FirstOrDefault();
            return secondArn is not null;
        }, "the second automatic version trains a minute after the first", TimeSpan.FromSeconds(100));

        await Eventually.HoldsAsync(async () =>
        {
            var described = (await SchedulingFixture.SendAsync(host, HttpMethod.Get, "/api/manage/campaigns/shop-campaign"))!["campaign"]!;
            return (string?)described["solutionVersionArn"] == secondArn && (string?)described["servingSolutionVersionArn"] == secondArn;
        }, "the campaign refresh timer moves the campaign to the new version", TimeSpan.FromSeconds(20));
        await Task.Delay(500);
        await stop.CancelAsync();
        await load;

        Assert.Empty(failures);
        Assert.True(requests > 20, $"only {requests} requests were sent");
        var second = (await SchedulingFixture.SendAsync(host, HttpMethod.Get, "/api/manage/solution-versions/" + Uri.EscapeDataString(secondArn!)))!["solutionVersion"]!;
        Assert.Equal("AUTOMATIC", (string?)second["trainingType"]);
        Assert.Equal("FULL", (string?)second["trainingMode"]);
        Assert.Equal(2, (await SchedulingFixture.VersionsAsync(host, solution)).Count);
    }
}

/// <summary>Two dev hosts on one storage account, each firing the retrain timer itself, start each due training once.</summary>
public sealed class RetrainConcurrencyTests
{
    [Fact]
    public async Task Two_hosts_on_the_same_storage_start_one_version_per_due_occurrence()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var a = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["RetrainSchedule"] = "*/1 * * * * *",
        }, hostId: "host-a");
        await using var b = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["RetrainSchedule"] = "*/1 * * * * *", ["AzureWebJobs.importDrop.Disabled"] = "true",
        }, hostId: "host-b");
        await SchedulingFixture.ImportAsync(a, "race");
        var solution = (string)(await SchedulingFixture.SendAsync(a, HttpMethod.Post, "/api/manage/solutions", SchedulingFixture.AutoTrainedSolution("race-auto", "race", "rate(1 hour)"), HttpStatusCode.Created))!["solutionArn"]!;

        await Eventually.HoldsAsync(async () => (await SchedulingFixture.VersionsAsync(a, solution)).Count > 0, "an automatic version starts", TimeSpan.FromSeconds(20));
        await Eventually.HoldsAsync(async () => (await SchedulingFixture.VersionsAsync(a, solution)).All(v => (string?)v!["status"] == "ACTIVE"), "it trains", TimeSpan.FromSeconds(60));

        // Both hosts keep firing every second; the one due occurrence gave one version, and none follows within the hour.
        var hosts = a.Storage.Container(StorageNames.HostContainer);
        foreach (var id in new[] { "host-a", "host-b" })
        {
            var status = hosts.GetBlobClient($"timers/{id}/Host.Functions.retrainTimer/status");
            await Eventually.HoldsAsync(async () => await status.ExistsAsync(), $"{id} fires the retrain timer");
        }

        await Task.Delay(3000);
        var versions = await SchedulingFixture.VersionsAsync(b, solution);
        Assert.Single(versions);
        Assert.Equal("AUTOMATIC", (string?)versions[0]!["trainingType"]);
    }
}
