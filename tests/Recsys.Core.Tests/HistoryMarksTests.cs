using Recsys.Core.Events;

namespace Recsys.Core.Tests;

public sealed class HistoryMarksTests
{
    private static readonly int[] s_pinned = [212903, 20860, 37707];

    [Fact]
    public void Buckets_are_stable_across_processes_and_releases()
    {
        // Stored marks are read by every instance and every later release: the hash must never change.
        Assert.Equal(HistoryMarks.Bucket("user-1"), HistoryMarks.Bucket(new string("user-1".ToCharArray())));
        Assert.Equal(s_pinned, new[] { HistoryMarks.Bucket(""), HistoryMarks.Bucket("user-1"), HistoryMarks.Bucket("ü\"é") });
    }

    [Fact]
    public void Marks_round_trip_through_bytes_and_union_and_a_clear_bucket_means_no_history()
    {
        var marks = new HistoryMarks();
        var users = Enumerable.Range(0, 5_000).Select(u => "u" + u).ToArray();
        foreach (var user in users)
        {
            marks.Add(user);
        }

        var copy = HistoryMarks.FromBytes(marks.ToBytes());
        Assert.All(users, user => Assert.True(copy.MayHave(user)));
        Assert.Equal(marks.Count, copy.Count);
        Assert.InRange(marks.Count, 4_900, 5_000); // few collisions among 262,144 buckets

        var others = Enumerable.Range(0, 5_000).Select(u => "other" + u).ToArray();
        Assert.InRange(others.Count(copy.MayHave), 0, 250); // about 2 % share a bucket with a marked user

        var union = new HistoryMarks();
        union.Add("x");
        union.UnionWith(copy);
        Assert.True(union.MayHave("x") && union.MayHave("u42"));
        Assert.Throws<FormatException>(() => HistoryMarks.FromBytes(new byte[10]));
    }
}
