using Recsys.Core.Filters;

namespace Recsys.Core.Tests.Filters;

public sealed class AttributeIndexBuilderTests
{
    [Fact]
    public void Known_ids_take_the_first_rows_in_order_and_new_ids_follow()
    {
        var index = FilterTestData.Build("ITEM_ID", FilterTestData.ItemsSchema, FilterTestData.ItemsCsv, ["i4", "x", "i0"]);

        Assert.Equal(6, index.Count);
        Assert.True(index.TryGetIndex("i4", out var i4));
        Assert.Equal(0, i4);
        Assert.True(index.TryGetIndex("i0", out var i0));
        Assert.Equal(2, i0);
        Assert.True(index.TryGetIndex("i1", out var i1));
        Assert.Equal(3, i1);
        Assert.Equal(["comedy", "horror"], index.FindCategorical("genre")!.ValuesAt(0).Order(StringComparer.Ordinal));
        Assert.Empty(index.FindCategorical("GENRE")!.ValuesAt(1));
        Assert.False(index.FindNumeric("PRICE")!.TryGetValue(1, out _));
    }

    [Fact]
    public void Categorical_fields_split_plain_strings_do_not_and_text_and_booleans_are_left_out()
    {
        var index = FilterTestData.Items;

        Assert.Equal(["comedy", "drama"], index.FindCategorical("GENRE")!.ValuesAt(0));
        Assert.Equal(["red"], index.FindCategorical("COLOR")!.ValuesAt(0));
        Assert.True(index.FindNumeric("CREATION_TIMESTAMP")!.TryGetValue(4, out var created));
        Assert.Equal(500, created);
        Assert.Null(index.FindCategorical("DESCRIPTION"));
        Assert.Null(index.FindNumeric("IN_STOCK"));
        Assert.Null(index.FindCategorical("ITEM_ID"));
        Assert.Equal(["GENRE", "COLOR", "PRICE", "CREATION_TIMESTAMP"], index.Fields);
    }

    [Fact]
    public void Later_rows_for_an_id_replace_earlier_ones()
    {
        var builder = new AttributeIndexBuilder("ITEM_ID");
        FilterTestData.Read(FilterTestData.ItemsSchema, FilterTestData.ItemsCsv, builder);
        FilterTestData.Read(FilterTestData.ItemsSchema, """
            ITEM_ID,GENRE,COLOR,PRICE,CREATION_TIMESTAMP,DESCRIPTION,IN_STOCK
            i1,horror,,99,200,,true
            """, builder);

        var index = builder.Build();

        Assert.Equal(5, index.Count);
        Assert.Equal(["horror"], index.FindCategorical("GENRE")!.ValuesAt(1));
        Assert.Empty(index.FindCategorical("COLOR")!.ValuesAt(1));
        Assert.True(index.FindNumeric("PRICE")!.TryGetValue(1, out var price));
        Assert.Equal(99, price);
    }

    [Fact]
    public void Values_match_exactly_unless_the_field_ignores_case()
    {
        var exact = new CategoricalField([["Click"]]);
        var lenient = new CategoricalField([["Click"], ["click"]], ignoreCase: true);

        Assert.Equal(1, exact.DistinctCount);
        Assert.Equal(1, lenient.DistinctCount);
        Assert.Equal(2, lenient.RowCount);
        Assert.Throws<ArgumentException>(() => new NumericField([1, 2], [true]));
    }
}
