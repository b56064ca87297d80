using Recsys.Core.BatchJobs;
using Recsys.Core.Datasets;
using Recsys.Core.Errors;

namespace Recsys.Core.Tests;

/// <summary>Which rows a user deletion removes, and the item-attribute query of segment jobs.</summary>
public sealed class DataLifecycleRulesTests
{
    private static readonly DateTimeOffset s_deletedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static readonly UserDeletions s_deletions = new(new Dictionary<string, DateTimeOffset> { ["gone"] = s_deletedAt });

    [Fact]
    public void Imported_rows_go_when_their_segment_was_committed_before_the_deletion()
    {
        var before = new DatasetSegment("a", 10, "import-a", s_deletedAt.AddHours(-1));
        var after = new DatasetSegment("b", 10, "import-b", s_deletedAt.AddHours(1));

        Assert.True(s_deletions.Removes(before, "gone", timestamp: 1));
        Assert.False(s_deletions.Removes(before, "stays", timestamp: 1));
        Assert.False(s_deletions.Removes(after, "gone", timestamp: 1)); // data imported after the deletion is new data
        Assert.True(s_deletions.MayRemoveFrom(before));
        Assert.False(s_deletions.MayRemoveFrom(after));
        Assert.False(UserDeletions.None.MayRemoveFrom(before));
    }

    [Fact]
    public void Compacted_events_go_when_received_or_sent_before_the_deletion()
    {
        var received = new DatasetSegment("e1", 5, "compaction", s_deletedAt.AddHours(-1), EventsThrough: s_deletedAt.AddMinutes(-5));
        var straddling = new DatasetSegment("e2", 5, "compaction", s_deletedAt.AddHours(1), EventsThrough: s_deletedAt.AddMinutes(5));
        var seconds = s_deletedAt.ToUnixTimeSeconds();

        Assert.True(s_deletions.Removes(received, "gone", seconds + 100));
        Assert.True(s_deletions.Removes(straddling, "gone", seconds - 1));
        Assert.False(s_deletions.Removes(straddling, "gone", seconds + 1));
        Assert.True(s_deletions.MayRemoveFrom(straddling));
        Assert.True(s_deletions.Removes("gone", s_deletedAt));
        Assert.False(s_deletions.Removes("gone", s_deletedAt.AddSeconds(1)));
        Assert.False(s_deletions.Removes("stays", s_deletedAt));
    }

    [Fact]
    public void Manifests_tell_imported_from_compacted_data()
    {
        var manifest = new DatasetManifest(3,
        [
            new DatasetSegment("a", 1, "import-a", s_deletedAt),
            new DatasetSegment("e", 1, "compaction", s_deletedAt.AddHours(2), EventsThrough: s_deletedAt.AddHours(1)),
        ]);

        Assert.Equal(s_deletedAt, manifest.ImportedThrough);
        Assert.Equal(s_deletedAt.AddHours(1), manifest.EventsCompactedThrough);
        Assert.Equal(DateTimeOffset.MinValue, DatasetManifest.Empty.EventsCompactedThrough);
        Assert.Equal(DateTimeOffset.MinValue, DatasetManifest.Empty.ImportedThrough);
    }

    [Theory]
    [InlineData("ITEMS.genres = \"Comedy\"", true, "genres=Comedy")]
    [InlineData("ITEMS.genres = \"Comedy\" AND ITEMS.genres = \"Action\"", true, "genres=Comedy|genres=Action")]
    [InlineData("items.GENRES=\"A B\" or ITEMS.year = \"1999\"", false, "GENRES=A B|year=1999")]
    public void Item_attribute_queries_parse_into_conditions(string query, bool matchAll, string expected)
    {
        var (conditions, all) = BatchJobRunner.ParseAttributes(query);
        Assert.Equal(matchAll, all);
        Assert.Equal(expected, string.Join('|', conditions.Select(c => c.Field + "=" + c.Value)));
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("ITEMS.a = \"x\" AND ITEMS.b = \"y\" OR ITEMS.c = \"z\"")]
    [InlineData("ITEMS.a = \"x\" AND")]
    public void Bad_item_attribute_queries_name_the_field(string query)
        => Assert.Contains("itemAttributes", Assert.Throws<InvalidInputException>(() => BatchJobRunner.ParseAttributes(query)).Errors.Keys);
}
