using System.Globalization;
using Recsys.Algorithms.Data;

namespace Recsys.Benchmarks;

/// <summary>One row of a split CSV (<c>USER_ID,ITEM_ID,RATING,TIMESTAMP</c>) with its file position.</summary>
internal readonly record struct RatingRow(int UserId, int ItemId, float Rating, long Timestamp, int FileRow);

/// <summary>
/// A train/test split of ml-latest-small indexed as PROTOCOL.md §3 prescribes: user and item indices are the
/// distinct train ids in ascending order; the binary matrix has X[u, i] = 1 for every train row.
/// </summary>
internal sealed class SplitData
{
    private SplitData(string name, RatingRow[] train, RatingRow[] test)
    {
        Name = name;
        TrainRows = train;
        TestRows = test;
        UserIds = [.. train.Select(r => r.UserId).Distinct().Order()];
        ItemIds = [.. train.Select(r => r.ItemId).Distinct().Order()];
        UserIndex = UserIds.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        ItemIndex = ItemIds.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var users = train.Select(r => UserIndex[r.UserId]).ToArray();
        var items = train.Select(r => ItemIndex[r.ItemId]).ToArray();
        var ones = Enumerable.Repeat(1f, train.Length).ToArray();
        Binary = InteractionMatrix.FromCoordinates(UserIds.Length, ItemIds.Length, users, items, ones);
        Ratings = InteractionMatrix.FromCoordinates(
            UserIds.Length,
            ItemIds.Length,
            users,
            items,
            train.Select(r => r.Rating).ToArray(),
            train.Select(r => r.Timestamp).ToArray());
        Relevant = test.GroupBy(r => r.UserId).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Select(r => r.ItemId).ToHashSet());
        TestUserIds = [.. Relevant.Keys.Order()];
    }

    public string Name { get; }

    public RatingRow[] TrainRows { get; }

    public RatingRow[] TestRows { get; }

    /// <summary>Train user ids, ascending; position = user index.</summary>
    public int[] UserIds { get; }

    /// <summary>Train item ids, ascending; position = item index.</summary>
    public int[] ItemIds { get; }

    public Dictionary<int, int> UserIndex { get; }

    public Dictionary<int, int> ItemIndex { get; }

    /// <summary>Binary train matrix (the input of every implicit model and EASE).</summary>
    public InteractionMatrix Binary { get; }

    /// <summary>Train matrix with ratings as weights and timestamps (SAR's input).</summary>
    public InteractionMatrix Ratings { get; }

    /// <summary>Relevant item ids per test user id.</summary>
    public Dictionary<int, HashSet<int>> Relevant { get; }

    /// <summary>Test user ids, ascending.</summary>
    public int[] TestUserIds { get; }

    /// <summary>The folder holding the splits: <c>../shared/data/ml-latest-small-splits</c> next to the repository root.</summary>
    public static string SplitsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recsys.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "ml-latest-small-splits"));
            }
        }

        throw new InvalidOperationException("Recsys.sln not found above " + AppContext.BaseDirectory);
    }

    public static SplitData Load(string name)
    {
        var folder = Path.Combine(SplitsFolder(), name);
        return new SplitData(name, ReadRatings(Path.Combine(folder, "train.csv")), ReadRatings(Path.Combine(folder, "test.csv")));
    }

    /// <summary>A split of the given rows (e.g. a quality-suite case).</summary>
    public static SplitData FromRows(string name, RatingRow[] train, RatingRow[] test) => new(name, train, test);

    /// <summary>
    /// The validation split of PROTOCOL.md §2: per user, train rows by (timestamp, file row); the first
    /// round_half_even(0.9·n) are sub-train, the rest validation. With <paramref name="byTime"/> false (data without
    /// time), the rows are ordered by a seeded hash of their file row instead, so the validation rows are a random 10 %.
    /// </summary>
    public SplitData ValidationSplit(bool byTime = true)
    {
        var subTrain = new List<RatingRow>();
        var validation = new List<RatingRow>();
        foreach (var group in TrainRows.GroupBy(r => r.UserId))
        {
            var ordered = byTime
                ? group.OrderBy(r => r.Timestamp).ThenBy(r => r.FileRow).ToArray()
                : group.OrderBy(r => Hash(7, r.FileRow)).ToArray();
            var cut = (int)Math.Round(0.9 * ordered.Length, MidpointRounding.ToEven);
            subTrain.AddRange(ordered.Take(cut));
            validation.AddRange(ordered.Skip(cut));
        }

        return new SplitData(Name + "/validation", [.. subTrain.OrderBy(r => r.FileRow)], [.. validation.OrderBy(r => r.FileRow)]);
    }

    /// <summary>A seeded 64-bit hash (SplitMix64's finalizer), for seeded random orders of rows.</summary>
    public static ulong Hash(ulong seed, long value)
    {
        var z = (seed * 0x9E3779B97F4A7C15UL) + (ulong)value + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public static RatingRow[] ReadRatings(string path)
    {
        var rows = new List<RatingRow>();
        var fileRow = 0;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(',');
            rows.Add(new RatingRow(
                int.Parse(parts[0], CultureInfo.InvariantCulture),
                int.Parse(parts[1], CultureInfo.InvariantCulture),
                float.Parse(parts[2], CultureInfo.InvariantCulture),
                long.Parse(parts[3], CultureInfo.InvariantCulture),
                fileRow++));
        }

        return [.. rows];
    }
}
