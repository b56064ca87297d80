using Recsys.Core.Filters;

namespace Recsys.Core.Tests.Filters;

public sealed class FilterFillTests
{
    private static readonly FilterPredicate s_noComedy = CompiledFilter
        .Compile(FilterParser.Parse("EXCLUDE ItemID WHERE Items.GENRE IN (\"comedy\")"), new FilterData(FilterTestData.Items))
        .Bind(new FilterRequest());

    [Fact]
    public void Enough_ranked_items_need_no_fill()
    {
        var destination = new int[2];

        var result = FilterFill.Fill([2, 0, 3, 5], [1, 4], s_noComedy, destination);

        Assert.Equal(new FillResult(2, 2), result);
        Assert.False(result.UsedFill);
        Assert.Equal([2, 3], destination);
    }

    [Fact]
    public void Popular_items_that_pass_the_filter_fill_the_rest_without_repeats()
    {
        var destination = new int[4];

        var result = FilterFill.Fill([0, 2], [4, 2, 1, 3, 5], s_noComedy, destination);

        Assert.True(result.UsedFill);
        Assert.Equal(1, result.RankedCount);
        Assert.Equal(3, result.Count);
        Assert.Equal([2, 3, 5], destination[..result.Count]);
    }

    [Fact]
    public void Long_results_use_a_set_to_skip_repeats()
    {
        var ranked = Enumerable.Range(0, 100).ToArray();
        var popular = Enumerable.Range(50, 200).ToArray();
        var destination = new int[150];

        var result = FilterFill.Fill(ranked, popular, null, destination);

        Assert.Equal(new FillResult(150, 100), result);
        Assert.Equal(Enumerable.Range(0, 150), destination);
    }

    [Fact]
    public void Without_enough_popular_items_the_result_is_short()
    {
        var destination = new int[5];

        var result = FilterFill.Fill([], [1, 3], s_noComedy, destination);

        Assert.Equal(new FillResult(1, 0), result);
        Assert.Equal(3, destination[0]);
        Assert.Equal("Popular item", FilterFill.PopularItemReason);
    }
}
