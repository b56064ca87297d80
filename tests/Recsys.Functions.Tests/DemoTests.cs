using Microsoft.Extensions.DependencyInjection;
using Recsys.Core.Datasets;
using Recsys.Data.Schemas;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>The run command's demo: a generated shop dropped into the imports container and imported by the local host.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_dataset_is_dropped_and_imported_once()
    {
        await using var azurite = await Azurite.StartAsync();
        var settings = new Dictionary<string, string?> { ["Recsys:LocalHost:Demo"] = "true" };
        await using (var host = await LocalHostRunner.StartAsync(azurite.ConnectionString, settings))
        {
            var segments = host.Services.GetRequiredService<IDatasetSegmentStore>();
            await Eventually.HoldsAsync(
                async () => (await segments.ReadManifestAsync("demo", DatasetType.Interactions)).Rows == 200_000
                    && (await segments.ReadManifestAsync("demo", DatasetType.Items)).Rows == 2_000
                    && (await segments.ReadManifestAsync("demo", DatasetType.Users)).Rows == 5_000,
                "the demo's three files are imported",
                TimeSpan.FromSeconds(90));
        }

        // A second start finds the demo and loads nothing again.
        await using var again = await LocalHostRunner.StartAsync(azurite.ConnectionString, settings);
        await Task.Delay(1500);
        var manifest = await again.Services.GetRequiredService<IDatasetSegmentStore>().ReadManifestAsync("demo", DatasetType.Interactions);
        Assert.Equal(1, manifest.Version);
    }
}
