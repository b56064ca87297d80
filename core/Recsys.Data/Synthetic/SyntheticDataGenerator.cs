using Recsys.Data.Schemas;

namespace Recsys.Data.Synthetic;

/// <summary>
/// Writes a realistic, deterministic e-commerce dataset in Personalize's CSV format with matching schemas:
/// items with categories, tags, prices and creation times and power-law popularity; users with latent tastes (a few
/// favourite categories and a budget) and power-law activity; sessions over the last <see cref="SyntheticDataOptions.Days"/>
/// days in which users view items and some views become clicks and purchases (view → click → purchase funnel).
/// </summary>
public static class SyntheticDataGenerator
{
    /// <summary>File names written into the output directory.</summary>
    public const string InteractionsFile = "interactions.csv";

    /// <summary>Items CSV file name.</summary>
    public const string ItemsFile = "items.csv";

    /// <summary>Users CSV file name.</summary>
    public const string UsersFile = "users.csv";

    /// <summary>Interactions schema file name.</summary>
    public const string InteractionsSchemaFile = "interactions.schema.json";

    /// <summary>Items schema file name.</summary>
    public const string ItemsSchemaFile = "items.schema.json";

    /// <summary>Users schema file name.</summary>
    public const string UsersSchemaFile = "users.schema.json";

    private static readonly string[] s_categoryNames =
    [
        "electronics", "fashion", "home", "garden", "sports", "toys", "books", "beauty", "grocery", "automotive",
        "health", "music", "movies", "office", "pets", "baby", "jewelry", "tools", "outdoors", "games",
    ];

    private static readonly string[] s_tags = ["sale", "new", "eco", "premium", "bestseller", "limited", "bundle", "gift"];
    private static readonly string[] s_ageGroups = ["18-24", "25-34", "35-44", "45-54", "55+"];
    private static readonly string[] s_memberships = ["free", "plus", "premium"];

    /// <summary>The interactions schema of the generated data.</summary>
    public static DatasetSchema InteractionsSchema { get; } = DatasetSchema.Create(
        DatasetType.Interactions,
        new FieldDefinition(ReservedFields.UserId, FieldType.String),
        new FieldDefinition(ReservedFields.ItemId, FieldType.String),
        new FieldDefinition(ReservedFields.Timestamp, FieldType.Long),
        new FieldDefinition(ReservedFields.EventType, FieldType.String),
        new FieldDefinition(ReservedFields.EventValue, FieldType.Float, IsNullable: true));

    /// <summary>The items schema of the generated data.</summary>
    public static DatasetSchema ItemsSchema { get; } = DatasetSchema.Create(
        DatasetType.Items,
        new FieldDefinition(ReservedFields.ItemId, FieldType.String),
        new FieldDefinition("CATEGORY_L1", FieldType.String, IsCategorical: true),
        new FieldDefinition("CATEGORY_L2", FieldType.String, IsCategorical: true),
        new FieldDefinition("TAGS", FieldType.String, IsNullable: true, IsCategorical: true),
        new FieldDefinition("PRICE", FieldType.Float),
        new FieldDefinition(ReservedFields.CreationTimestamp, FieldType.Long));

    /// <summary>The users schema of the generated data.</summary>
    public static DatasetSchema UsersSchema { get; } = DatasetSchema.Create(
        DatasetType.Users,
        new FieldDefinition(ReservedFields.UserId, FieldType.String),
        new FieldDefinition("AGE_GROUP", FieldType.String, IsCategorical: true),
        new FieldDefinition("MEMBERSHIP", FieldType.String, IsCategorical: true));

    /// <summary>Writes the three CSVs and their schemas into <paramref name="outputDirectory"/> (created if needed).</summary>
    public static Task<SyntheticDataset> GenerateAsync(SyntheticDataOptions options, string outputDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Interactions);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Users);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Items);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Categories, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Categories, s_categoryNames.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Days, 1);
        return Task.Run(() => Generate(options, outputDirectory, cancellationToken), cancellationToken);
    }

    private static SyntheticDataset Generate(SyntheticDataOptions options, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var random = new DeterministicRandom((ulong)options.Seed);
        var end = options.End.ToUnixTimeSeconds();
        var start = end - (options.Days * 86_400L);
        var userCount = options.Users > 0 ? options.Users : (int)Math.Clamp(options.Interactions / 40, 100, int.MaxValue);
        var itemCount = options.Items > 0 ? options.Items : (int)Math.Clamp(options.Interactions / 200, 50, int.MaxValue);

        var catalog = Catalog.Create(random.Fork(), options, itemCount, start, end);
        var users = UserTastes.Create(random.Fork(), catalog, userCount);

        var paths = new Dictionary<string, string>();
        foreach (var (file, schema) in new[] { (InteractionsSchemaFile, InteractionsSchema), (ItemsSchemaFile, ItemsSchema), (UsersSchemaFile, UsersSchema) })
        {
            paths[file] = Path.Combine(directory, file);
            File.WriteAllText(paths[file], schema.ToJson() + "\n");
        }

        paths[ItemsFile] = Path.Combine(directory, ItemsFile);
        WriteItems(catalog, paths[ItemsFile]);
        paths[UsersFile] = Path.Combine(directory, UsersFile);
        WriteUsers(users, paths[UsersFile]);
        paths[InteractionsFile] = Path.Combine(directory, InteractionsFile);
        var eventCounts = WriteInteractions(random.Fork(), options, catalog, users, start, end, paths[InteractionsFile], cancellationToken);

        return new SyntheticDataset(
            paths[InteractionsFile],
            paths[ItemsFile],
            paths[UsersFile],
            paths[InteractionsSchemaFile],
            paths[ItemsSchemaFile],
            paths[UsersSchemaFile],
            options.Interactions,
            userCount,
            itemCount,
            eventCounts);
    }

    private static void WriteItems(Catalog catalog, string path)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8CsvWriter(stream);
        writer.Ascii("ITEM_ID,CATEGORY_L1,CATEGORY_L2,TAGS,PRICE,CREATION_TIMESTAMP\n");
        for (var i = 0; i < catalog.Count; i++)
        {
            writer.Id('i', i);
            writer.Comma();
            var category = catalog.Category[i];
            writer.Ascii(s_categoryNames[category]);
            writer.Comma();
            writer.Ascii(s_categoryNames[category]);
            writer.Ascii("_");
            writer.Integer(catalog.Subcategory[i]);
            writer.Comma();
            var tags = catalog.Tags[i];
            var first = true;
            for (var t = 0; t < s_tags.Length; t++)
            {
                if ((tags & (1 << t)) != 0)
                {
                    if (!first)
                    {
                        writer.Ascii("|");
                    }

                    writer.Ascii(s_tags[t]);
                    first = false;
                }
            }

            writer.Comma();
            writer.Decimal2(catalog.Price[i]);
            writer.Comma();
            writer.Integer(catalog.Created[i]);
            writer.NewLine();
        }
    }

    private static void WriteUsers(UserTastes users, string path)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8CsvWriter(stream);
        writer.Ascii("USER_ID,AGE_GROUP,MEMBERSHIP\n");
        for (var u = 0; u < users.Count; u++)
        {
            writer.Id('u', u);
            writer.Comma();
            writer.Ascii(s_ageGroups[users.AgeGroup[u]]);
            writer.Comma();
            writer.Ascii(s_memberships[users.Membership[u]]);
            writer.NewLine();
        }
    }

    private static Dictionary<string, long> WriteInteractions(
        DeterministicRandom random,
        SyntheticDataOptions options,
        Catalog catalog,
        UserTastes users,
        long start,
        long end,
        string path,
        CancellationToken cancellationToken)
    {
        long views = 0, clicks = 0, purchases = 0;
        using var stream = File.Create(path);
        using var writer = new Utf8CsvWriter(stream);
        writer.Ascii("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n");

        // Each user's share of the interactions follows their activity (power law); shares add up exactly.
        var remaining = options.Interactions;
        var remainingActivity = users.TotalActivity;
        for (var u = 0; u < users.Count && remaining > 0; u++)
        {
            if ((u & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var share = u == users.Count - 1 ? remaining : (long)Math.Round(remaining * (users.Activity[u] / remainingActivity));
            share = Math.Min(share, remaining);
            remainingActivity -= users.Activity[u];
            remaining -= share;

            var emitted = 0L;
            while (emitted < share)
            {
                // A session: a few views a minute or two apart; some views lead to a click, some clicks to a purchase.
                var time = random.NextInt64(start, end - 3_600);
                var sessionViews = random.NextGeometric(4.0);
                for (var v = 0; v < sessionViews && emitted < share; v++)
                {
                    var item = users.PickItem(random, catalog, u, time);
                    Emit(writer, u, item, time, "view", null);
                    emitted++;
                    views++;
                    time += 5 + random.Next(120);

                    var affinity = users.Affinity(u, catalog.Category[item]);
                    if (emitted < share && random.Chance(Math.Min(0.9, options.ClickRate * affinity)))
                    {
                        Emit(writer, u, item, time, "click", null);
                        emitted++;
                        clicks++;
                        time += 10 + random.Next(300);

                        var affordability = Math.Min(1.5, users.Budget[u] / catalog.Price[item]);
                        if (emitted < share && random.Chance(Math.Min(0.9, options.PurchaseRate * affinity * affordability)))
                        {
                            Emit(writer, u, item, time, "purchase", catalog.Price[item]);
                            emitted++;
                            purchases++;
                            time += 30 + random.Next(300);
                        }
                    }
                }
            }
        }

        return new Dictionary<string, long> { ["view"] = views, ["click"] = clicks, ["purchase"] = purchases };
    }

    private static void Emit(Utf8CsvWriter writer, int user, int item, long time, string eventType, double? value)
    {
        writer.Id('u', user);
        writer.Comma();
        writer.Id('i', item);
        writer.Comma();
        writer.Integer(time);
        writer.Comma();
        writer.Ascii(eventType);
        writer.Comma();
        if (value is { } v)
        {
            writer.Decimal2(v);
        }

        writer.NewLine();
    }

    /// <summary>Items with a category, subcategory, tags, price, creation time and a power-law popularity.</summary>
    private sealed class Catalog
    {
        private Catalog(int count, int categories)
        {
            Count = count;
            Category = new int[count];
            Subcategory = new int[count];
            Tags = new int[count];
            Price = new double[count];
            Created = new long[count];
            Popularity = new double[count];
            ItemsByCategory = new int[categories][];
            CumulativeByCategory = new double[categories][];
        }

        public int Count { get; }

        public int[] Category { get; }

        public int[] Subcategory { get; }

        public int[] Tags { get; }

        public double[] Price { get; }

        public long[] Created { get; }

        public double[] Popularity { get; }

        public double[] CategoryWeight { get; private set; } = [];

        public int[][] ItemsByCategory { get; }

        public double[][] CumulativeByCategory { get; }

        public double[] CumulativeAll { get; private set; } = [];

        public static Catalog Create(DeterministicRandom random, SyntheticDataOptions options, int count, long start, long end)
        {
            var categories = options.Categories;
            var catalog = new Catalog(count, categories);

            // Category sizes are skewed too: the first categories are the big ones.
            catalog.CategoryWeight = Enumerable.Range(1, categories).Select(r => 1.0 / Math.Sqrt(r)).ToArray();
            var categoryCumulative = Cumulative(catalog.CategoryWeight);
            var priceLevel = Enumerable.Range(0, categories).Select(_ => 2.0 + (3.0 * random.NextDouble())).ToArray();

            // Popularity rank is a random permutation, so popular items are spread over the categories.
            var rank = Enumerable.Range(1, count).ToArray();
            for (var i = count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (rank[i], rank[j]) = (rank[j], rank[i]);
            }

            for (var i = 0; i < count; i++)
            {
                var category = Sample(categoryCumulative, random.NextDouble());
                catalog.Category[i] = category;
                catalog.Subcategory[i] = random.Next(5);
                var tags = 0;
                for (var t = 0; t < s_tags.Length; t++)
                {
                    if (random.Chance(0.12))
                    {
                        tags |= 1 << t;
                    }
                }

                catalog.Tags[i] = tags;
                catalog.Price[i] = Math.Round(Math.Exp(priceLevel[category] + (0.6 * random.NextGaussian())), 2) + 0.99;

                // Most items predate the window (up to two years); about 20% are launched during it.
                catalog.Created[i] = random.Chance(0.2)
                    ? random.NextInt64(start, end)
                    : random.NextInt64(start - (730 * 86_400L), start);
                catalog.Popularity[i] = 1.0 / Math.Pow(rank[i], options.PopularityExponent);
            }

            for (var c = 0; c < categories; c++)
            {
                var members = Enumerable.Range(0, count).Where(i => catalog.Category[i] == c).ToArray();
                catalog.ItemsByCategory[c] = members;
                catalog.CumulativeByCategory[c] = Cumulative(members.Select(i => catalog.Popularity[i]).ToArray());
            }

            catalog.CumulativeAll = Cumulative(catalog.Popularity);
            return catalog;
        }

        public int PickInCategory(DeterministicRandom random, int category)
        {
            var members = ItemsByCategory[category];
            return members.Length == 0 ? PickAny(random) : members[Sample(CumulativeByCategory[category], random.NextDouble())];
        }

        public int PickAny(DeterministicRandom random) => Sample(CumulativeAll, random.NextDouble());

        public static double[] Cumulative(double[] weights)
        {
            var cumulative = new double[weights.Length];
            var sum = 0.0;
            for (var i = 0; i < weights.Length; i++)
            {
                sum += weights[i];
                cumulative[i] = sum;
            }

            for (var i = 0; i < cumulative.Length; i++)
            {
                cumulative[i] /= sum;
            }

            return cumulative;
        }

        public static int Sample(double[] cumulative, double u)
        {
            var index = Array.BinarySearch(cumulative, u);
            index = index < 0 ? ~index : index + 1;
            return Math.Min(index, cumulative.Length - 1);
        }
    }

    /// <summary>Each user's latent taste: up to three favourite categories with weights, a budget and an activity level.</summary>
    private sealed class UserTastes
    {
        private const int Favourites = 3;
        private const double Exploration = 0.15;

        private UserTastes(int count)
        {
            Count = count;
            FavouriteCategories = new int[count * Favourites];
            FavouriteCumulative = new double[count * Favourites];
            Budget = new double[count];
            Activity = new double[count];
            AgeGroup = new int[count];
            Membership = new int[count];
        }

        public int Count { get; }

        public int[] FavouriteCategories { get; }

        public double[] FavouriteCumulative { get; }

        public double[] Budget { get; }

        public double[] Activity { get; }

        public double TotalActivity { get; private set; }

        public int[] AgeGroup { get; }

        public int[] Membership { get; }

        public static UserTastes Create(DeterministicRandom random, Catalog catalog, int count)
        {
            var users = new UserTastes(count);
            var categoryCumulative = Catalog.Cumulative(catalog.CategoryWeight);
            for (var u = 0; u < count; u++)
            {
                var weights = new double[Favourites];
                var sum = 0.0;
                for (var f = 0; f < Favourites; f++)
                {
                    users.FavouriteCategories[(u * Favourites) + f] = Catalog.Sample(categoryCumulative, random.NextDouble());
                    weights[f] = -Math.Log(1.0 - random.NextDouble()); // Dirichlet(1,1,1) via exponentials
                    sum += weights[f];
                }

                var running = 0.0;
                for (var f = 0; f < Favourites; f++)
                {
                    running += weights[f] / sum;
                    users.FavouriteCumulative[(u * Favourites) + f] = running;
                }

                users.Budget[u] = Math.Exp(3.5 + (0.8 * random.NextGaussian()));

                // Pareto(alpha = 1.5) activity: a few heavy users, a long tail of occasional ones.
                users.Activity[u] = Math.Min(1_000.0, Math.Pow(1.0 - random.NextDouble(), -1.0 / 1.5));
                users.TotalActivity += users.Activity[u];
                users.AgeGroup[u] = random.Next(s_ageGroups.Length);
                users.Membership[u] = users.Activity[u] > 5 ? 2 : users.Activity[u] > 2 ? 1 : random.Chance(0.1) ? 1 : 0;
            }

            return users;
        }

        /// <summary>How much the user likes the category: above 1 for favourites, below 1 otherwise.</summary>
        public double Affinity(int user, int category)
        {
            var previous = 0.0;
            var affinity = 0.6;
            for (var f = 0; f < Favourites; f++)
            {
                var cumulative = FavouriteCumulative[(user * Favourites) + f];
                if (FavouriteCategories[(user * Favourites) + f] == category)
                {
                    affinity = Math.Max(affinity, 1.0 + (2.0 * (cumulative - previous)));
                }

                previous = cumulative;
            }

            return affinity;
        }

        /// <summary>An item the user views at <paramref name="time"/>: mostly from a favourite category, by popularity, already released.</summary>
        public int PickItem(DeterministicRandom random, Catalog catalog, int user, long time)
        {
            for (var attempt = 0; attempt < 8; attempt++)
            {
                int item;
                if (random.Chance(Exploration))
                {
                    item = catalog.PickAny(random);
                }
                else
                {
                    var u = random.NextDouble();
                    var f = 0;
                    while (f < Favourites - 1 && u > FavouriteCumulative[(user * Favourites) + f])
                    {
                        f++;
                    }

                    item = catalog.PickInCategory(random, FavouriteCategories[(user * Favourites) + f]);
                }

                if (catalog.Created[item] <= time)
                {
                    return item;
                }
            }

            return catalog.PickAny(random);
        }
    }
}
