using Microsoft.Extensions.DependencyInjection;
using Recsys.Core.Datasets;
using Recsys.Data.Schemas;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>The run command's demo: a generated shop dropped into the imports container and imported by the dev host.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_dataset_is_imported_once_trained_and_served()
    {
        await using var azurite = await Azurite.StartAsync();
        var settings = new Dictionary<string, string?> { ["Recsys:DevHost:Demo"] = "true" };
        await using (var host = await FunctionsHost.StartAsync(azurite.ConnectionString, settings))
        {
            var segments = host.Services.GetRequiredService<IDatasetSegmentStore>();
            await Eventually.HoldsAsync(
                async () => (await segments.ReadManifestAsync("demo", DatasetType.Interactions)).Rows == 200_000
                    && (await segments.ReadManifestAsync("demo", DatasetType.Items)).Rows == 2_000
                    && (await segments.ReadManifestAsync("demo", DatasetType.Users)).Rows == 5_000,
                "the demo's three files are imported",
                TimeSpan.FromSeconds(90));

            // Then it trains, deploys a campaign, and the campaign answers.
            System.Text.Json.Nodes.JsonNode? answer = null;
            await Eventually.HoldsAsync(
                async () =>
                {
                    using var request = FunctionsHost.WithKey(HttpMethod.Post, "/api/recommendations", FunctionsHost.HostKey,
                        new System.Text.Json.Nodes.JsonObject { ["campaignArn"] = "demo-campaign", ["userId"] = "u42", ["numResults"] = 5 });
                    using var response = await host.Client.SendAsync(request);
                    if (response.StatusCode != System.Net.HttpStatusCode.OK)
                    {
                        return false;
                    }

                    answer = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync());
                    return true;
                },
                "the demo campaign serves recommendations",
                TimeSpan.FromSeconds(180));
            Assert.Equal(5, answer!["itemList"]!.AsArray().Count);
        }

        // A second start finds the demo and loads nothing again.
        await using var again = await FunctionsHost.StartAsync(azurite.ConnectionString, settings);
        await Task.Delay(1500);
        var manifest = await again.Services.GetRequiredService<IDatasetSegmentStore>().ReadManifestAsync("demo", DatasetType.Interactions);
        Assert.Equal(1, manifest.Version);
    }
}
