using System.Net;
using System.Text.Json.Nodes;
using Recsys.Data.Synthetic;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>
/// The setup serving-side tests share: a generated shop (Interactions and Items) imported into the dataset group
/// <c>shop</c> by dropping its CSVs, a user-personalization solution, and trained versions of it — all through HTTP.
/// </summary>
internal static class ShopSetup
{
    public const string DatasetGroup = "shop";

    /// <summary>Generates the shop into <paramref name="directory"/>, imports it (Users too when asked) and waits for the imports.</summary>
    public static async Task<SyntheticDataset> ImportAsync(FunctionsHost host, string directory, SyntheticDataOptions options, bool withUsers = false)
    {
        var generated = await SyntheticDataGenerator.GenerateAsync(options, directory);
        await host.SendJsonAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = DatasetGroup }, HttpStatusCode.Created);
        foreach (var (type, schema, file) in new[]
        {
            ("Interactions", SyntheticDataGenerator.InteractionsSchema, generated.InteractionsCsv),
            ("Items", SyntheticDataGenerator.ItemsSchema, generated.ItemsCsv),
            ("Users", SyntheticDataGenerator.UsersSchema, generated.UsersCsv),
        }.Take(withUsers ? 3 : 2))
        {
            await host.SendJsonAsync(HttpMethod.Post, "/api/manage/schemas", new JsonObject { ["name"] = "shop-" + type, ["schema"] = schema.ToJson() }, HttpStatusCode.Created);
            await host.SendJsonAsync(HttpMethod.Post, "/api/manage/datasets", new JsonObject
            {
                ["name"] = "shop-" + type, ["datasetGroupArn"] = DatasetGroup, ["datasetType"] = type, ["schemaArn"] = "shop-" + type,
            }, HttpStatusCode.Created);
            await host.Storage.Container(StorageNames.ImportsContainer).GetBlobClient($"{DatasetGroup}/{type}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true);
        }

        await Eventually.HoldsAsync(async () =>
        {
            var jobs = (await host.SendJsonAsync(HttpMethod.Get, "/api/manage/dataset-import-jobs"))!["datasetImportJobs"]!.AsArray();
            return jobs.Count(j => (string?)j!["status"] == "ACTIVE") == (withUsers ? 3 : 2);
        }, "the imports finish", TimeSpan.FromSeconds(60));
        return generated;
    }

    /// <summary>Creates the user-personalization solution and returns its ARN.</summary>
    public static async Task<string> CreateSolutionAsync(FunctionsHost host)
        => (string)(await host.SendJsonAsync(HttpMethod.Post, "/api/manage/solutions", new JsonObject
        {
            ["name"] = "shop-up", ["datasetGroupArn"] = DatasetGroup, ["recipeArn"] = "arn:aws:personalize:::recipe/aws-user-personalization",
        }, HttpStatusCode.Created))!["solutionArn"]!;

    /// <summary>Trains a new version of the solution and waits until it is ACTIVE.</summary>
    public static async Task<string> TrainAsync(FunctionsHost host, string solutionArn)
    {
        var version = (string)(await host.SendJsonAsync(HttpMethod.Post, "/api/manage/solution-versions", new JsonObject { ["solutionArn"] = solutionArn }, HttpStatusCode.Created))!["solutionVersionArn"]!;
        await Eventually.HoldsAsync(
            async () => (string?)(await host.SendJsonAsync(HttpMethod.Get, "/api/manage/solution-versions/" + Uri.EscapeDataString(version)))!["solutionVersion"]!["status"] == "ACTIVE",
            "training finishes",
            TimeSpan.FromSeconds(120));
        return version;
    }
}
