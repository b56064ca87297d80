using System.Diagnostics;
using System.Text.Json.Nodes;
using Recsys.Data.Training;

namespace Recsys.Benchmarks.Data;

/// <summary>
/// What counting repeated interactions once costs training at scale: <see cref="TrainingInteractionsBuilder.RemoveDuplicates"/>
/// on <c>rows</c> generated interactions (2 % of them exact repeats of an earlier row, as a re-imported file or events also
/// sent with PutEvents would add), side by side with the peer it is added to: putting those rows into the builder.
/// </summary>
internal static class TrainingDedupBenchmark
{
    public static JsonObject Run(long rows)
    {
        var count = checked((int)rows);
        var users = Math.Max(1, count / 50);
        var items = Math.Max(1, count / 200);
        var random = new Random(3);
        var builder = new TrainingInteractionsBuilder(count);
        Span<char> user = stackalloc char[16];
        Span<char> item = stackalloc char[16];
        var repeats = 0;
        var add = Stopwatch.StartNew();
        var lastUser = 0;
        var lastItem = 0;
        var lastTime = 0L;
        for (var i = 0; i < count; i++)
        {
            int u, it;
            long t;
            if (i > 0 && random.Next(50) == 0)
            {
                (u, it, t) = (lastUser, lastItem, lastTime); // an exact repeat
                repeats++;
            }
            else
            {
                u = random.Next(users);
                it = (int)(items * Math.Pow(random.NextDouble(), 2));
                t = 1_700_000_000L + random.Next(90 * 86_400);
            }

            (lastUser, lastItem, lastTime) = (u, it, t);
            builder.Add(Id(user, 'u', u), Id(item, 'i', it), t, "click", null);
        }

        add.Stop();
        var dedup = Stopwatch.StartNew();
        var removed = builder.RemoveDuplicates();
        dedup.Stop();
        var data = builder.Build();
        Console.WriteLine($"{count:N0} rows added in {add.Elapsed.TotalSeconds:F1} s; {removed:N0} duplicates removed in {dedup.Elapsed.TotalSeconds:F2} s");
        return new JsonObject
        {
            ["rows"] = count,
            ["users"] = data.Users.Count,
            ["items"] = data.Items.Count,
            ["repeatsGenerated"] = repeats,
            ["duplicatesRemoved"] = removed,
            ["addSeconds"] = Math.Round(add.Elapsed.TotalSeconds, 2),
            ["removeDuplicatesSeconds"] = Math.Round(dedup.Elapsed.TotalSeconds, 2),
            ["removeDuplicatesToAddRatio"] = Math.Round(dedup.Elapsed.TotalSeconds / add.Elapsed.TotalSeconds, 3),
            ["peakWorkingSetBytes"] = BenchmarkReport.PeakWorkingSetBytes(),
            ["note"] = "the peer (adding rows from memory) is cheaper than training's real load (Parquet segments from Blob Storage), so the ratio overstates the share",
        };
    }

    private static ReadOnlySpan<char> Id(Span<char> buffer, char prefix, int value)
    {
        buffer[0] = prefix;
        value.TryFormat(buffer[1..], out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        return buffer[..(written + 1)];
    }
}
