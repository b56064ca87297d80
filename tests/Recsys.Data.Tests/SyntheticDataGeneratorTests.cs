using Recsys.Data.Import;
using Recsys.Data.Schemas;
using Recsys.Data.Synthetic;

namespace Recsys.Data.Tests;

public sealed class SyntheticDataGeneratorTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "recsys-data-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Same_seed_gives_identical_bytes_and_another_seed_does_not()
    {
        var options = new SyntheticDataOptions { Seed = 7, Interactions = 20_000 };
        var a = await SyntheticDataGenerator.GenerateAsync(options, Path.Combine(_root, "a"));
        var b = await SyntheticDataGenerator.GenerateAsync(options, Path.Combine(_root, "b"));
        var c = await SyntheticDataGenerator.GenerateAsync(new SyntheticDataOptions { Seed = 8, Interactions = 20_000 }, Path.Combine(_root, "c"));

        foreach (var file in new[] { SyntheticDataGenerator.InteractionsFile, SyntheticDataGenerator.ItemsFile, SyntheticDataGenerator.UsersFile, SyntheticDataGenerator.InteractionsSchemaFile })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_root, "a", file)), await File.ReadAllBytesAsync(Path.Combine(_root, "b", file)));
        }

        Assert.NotEqual(await File.ReadAllBytesAsync(a.InteractionsCsv), await File.ReadAllBytesAsync(c.InteractionsCsv));
        Assert.Equal(b.EventCounts, a.EventCounts);
    }

    [Fact]
    public async Task Generated_files_import_cleanly_with_their_schemas()
    {
        var data = await SyntheticDataGenerator.GenerateAsync(new SyntheticDataOptions { Interactions = 10_000 }, _root);

        foreach (var (csv, schemaFile, type, rows) in new[]
        {
            (data.InteractionsCsv, data.InteractionsSchema, DatasetType.Interactions, data.Interactions),
            (data.ItemsCsv, data.ItemsSchema, DatasetType.Items, data.Items),
            (data.UsersCsv, data.UsersSchema, DatasetType.Users, (long)data.Users),
        })
        {
            var schema = DatasetSchema.Parse(await File.ReadAllTextAsync(schemaFile), type);
            await using var stream = File.OpenRead(csv);
            var result = await CsvDatasetReader.ReadAsync(stream, schema, new CollectingSink());
            Assert.True(result.Succeeded, result.FailureReason);
            Assert.Equal(0, result.RowsRejected);
            Assert.Equal(rows, result.RowsImported);
        }
    }

    [Fact]
    public async Task Data_is_realistic_skewed_popularity_funnel_order_and_time_window()
    {
        var options = new SyntheticDataOptions { Interactions = 100_000, Seed = 3 };
        var data = await SyntheticDataGenerator.GenerateAsync(options, _root);
        var lines = (await File.ReadAllLinesAsync(data.InteractionsCsv)).Skip(1).Select(l => l.Split(',')).ToList();

        Assert.Equal(100_000, lines.Count);

        // Power-law popularity: the top 10% of items get far more than 10% of the views.
        var itemCounts = lines.GroupBy(l => l[1]).Select(g => g.Count()).OrderByDescending(c => c).ToList();
        var top = itemCounts.Take(Math.Max(1, data.Items / 10)).Sum();
        Assert.True(top > 0.4 * lines.Count, $"Top 10% of items had {top} of {lines.Count} interactions.");

        // Funnel: views > clicks > purchases, with plausible rates.
        var views = data.EventCounts["view"];
        var clicks = data.EventCounts["click"];
        var purchases = data.EventCounts["purchase"];
        Assert.Equal(lines.Count, views + clicks + purchases);
        Assert.InRange(clicks / (double)views, 0.1, 0.6);
        Assert.InRange(purchases / (double)clicks, 0.02, 0.5);
        Assert.All(lines.Where(l => l[3] == "purchase").Take(100), l => Assert.NotEmpty(l[4]));

        // Activity is skewed too, and everything falls in the window.
        var userCounts = lines.GroupBy(l => l[0]).Select(g => g.Count()).OrderByDescending(c => c).ToList();
        Assert.True(userCounts[0] > 10 * userCounts[userCounts.Count / 2]);
        var end = options.End.ToUnixTimeSeconds();
        Assert.All(lines, l => Assert.InRange(long.Parse(l[2], System.Globalization.CultureInfo.InvariantCulture), end - (90 * 86_400L), end));

        // Latent tastes: a user's interactions concentrate on few categories.
        var categories = (await File.ReadAllLinesAsync(data.ItemsCsv)).Skip(1).Select(l => l.Split(',')).ToDictionary(l => l[0], l => l[1]);
        var heavy = lines.GroupBy(l => l[0]).Where(g => g.Count() >= 50).Take(50).ToList();
        var share = heavy.Average(g => g.GroupBy(l => categories[l[1]]).Select(c => c.Count()).OrderByDescending(c => c).Take(3).Sum() / (double)g.Count());
        Assert.True(share > 0.6, $"Top-3 category share was {share:P0}.");
    }
}
