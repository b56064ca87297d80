using Recsys.Core.Errors;
using Recsys.Core.Filters;

namespace Recsys.Core.Tests.Filters;

public sealed class FilterEvaluationTests
{
    private static readonly FilterData s_data = new(FilterTestData.Items, FilterTestData.Users);

    private static string[] Items(string expression, FilterRequest? request = null)
    {
        var predicate = CompiledFilter.Compile(FilterParser.Parse(expression), s_data).Bind(request ?? new FilterRequest());
        return Enumerable.Range(0, FilterTestData.ItemIds.Length).Where(predicate.Matches).Select(i => FilterTestData.ItemIds[i]).ToArray();
    }

    private static Dictionary<string, string> Values(params (string Key, string Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public void In_matches_any_of_a_rows_categorical_values()
    {
        Assert.Equal(["i0", "i1", "i4"], Items("INCLUDE ItemID WHERE Items.GENRE IN (\"comedy\")"));
        Assert.Equal(["i0", "i2", "i3", "i4"], Items("INCLUDE ItemID WHERE Items.GENRE IN (\"horror\", \"drama\")"));
        Assert.Equal(["i0", "i2"], Items("INCLUDE ItemID WHERE Items.COLOR IN (\"red\")"));
        Assert.Empty(Items("INCLUDE ItemID WHERE Items.GENRE IN (\"Comedy\")"));
        Assert.Empty(Items("INCLUDE ItemID WHERE Items.GENRE IN (\"unknown\")"));
    }

    [Fact]
    public void Not_in_matches_rows_with_none_of_the_values_including_rows_without_any()
    {
        Assert.Equal(["i2", "i3", "i5"], Items("INCLUDE ItemID WHERE Items.GENRE NOT IN (\"comedy\")"));
        Assert.Equal(["i1", "i3", "i4", "i5"], Items("INCLUDE ItemID WHERE Items.COLOR NOT IN (\"red\")"));
    }

    [Theory]
    [InlineData("= 15", new[] { "i1" })]
    [InlineData("!= 15", new[] { "i0", "i2", "i3" })]
    [InlineData("< 15", new[] { "i0" })]
    [InlineData("<= 15", new[] { "i0", "i1" })]
    [InlineData("> 15", new[] { "i2", "i3" })]
    [InlineData(">= 15", new[] { "i1", "i2", "i3" })]
    public void Numeric_operators_compare_and_rows_without_a_value_never_match(string condition, string[] expected)
        => Assert.Equal(expected, Items("INCLUDE ItemID WHERE Items.PRICE " + condition));

    [Fact]
    public void Long_fields_compare_exactly()
        => Assert.Equal(["i2", "i3"], Items("INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP >= 300 AND Items.CREATION_TIMESTAMP < 500"));

    [Fact]
    public void And_binds_tighter_than_or()
    {
        // comedy OR (red AND price > 10): i0, i1, i4 from comedy; i2 from red and 25.
        Assert.Equal(["i0", "i1", "i2", "i4"], Items("INCLUDE ItemID WHERE Items.GENRE IN (\"comedy\") OR Items.COLOR IN (\"red\") AND Items.PRICE > 10"));
        // (comedy OR red) AND price > 10: i1, i2.
        Assert.Equal(["i1", "i2"], Items("INCLUDE ItemID WHERE (Items.GENRE IN (\"comedy\") OR Items.COLOR IN (\"red\")) AND Items.PRICE > 10"));
    }

    [Fact]
    public void Includes_are_a_union_excludes_a_union_and_the_result_their_difference()
    {
        Assert.Equal(["i0", "i1", "i3", "i4"], Items("INCLUDE ItemID WHERE Items.GENRE IN (\"comedy\") | INCLUDE ItemID WHERE Items.PRICE > 30"));
        Assert.Equal(["i3", "i5"], Items("EXCLUDE ItemID WHERE Items.GENRE IN (\"comedy\") | EXCLUDE ItemID WHERE Items.COLOR IN (\"red\")"));
        Assert.Equal(["i1", "i3"], Items(
            "INCLUDE ItemID WHERE Items.GENRE IN (\"comedy\") | EXCLUDE ItemID WHERE Items.COLOR IN (\"red\") | INCLUDE ItemID WHERE Items.PRICE > 30 | EXCLUDE ItemID WHERE Items.GENRE IN (\"horror\")"));
        // Clause order does not matter.
        Assert.Equal(["i1", "i4"], Items("EXCLUDE ItemID WHERE Items.COLOR IN (\"red\") | INCLUDE ItemID WHERE Items.GENRE IN (\"comedy\")"));
    }

    [Fact]
    public void Parameters_take_quoted_lists_and_bare_numbers()
    {
        var request = new FilterRequest { FilterValues = Values(("GENRES", "\"horror\", \"drama\""), ("MAX", "20")) };

        Assert.Equal(["i0", "i2", "i3", "i4"], Items("INCLUDE ItemID WHERE Items.GENRE IN ($GENRES)", request));
        Assert.Equal(["i0", "i1"], Items("INCLUDE ItemID WHERE Items.PRICE <= $MAX", request));
        Assert.Equal(["i0"], Items("INCLUDE ItemID WHERE Items.PRICE <= $MAX", new FilterRequest { FilterValues = Values(("MAX", "\"5\"")) }));
    }

    [Fact]
    public void A_missing_include_parameter_fails_naming_it()
    {
        var error = Assert.Throws<InvalidInputException>(() => Items(
            "INCLUDE ItemID WHERE Items.GENRE IN ($GENRES) | EXCLUDE ItemID WHERE Items.PRICE > $MAX",
            new FilterRequest { FilterValues = Values(("genres", "\"comedy\"")) }));

        Assert.Contains("$GENRES", Assert.Single(error.Errors["filterValues.GENRES"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_exclude_parameter_skips_that_clause()
    {
        const string expression = "INCLUDE ItemID WHERE Items.GENRE IN ($GENRES) | EXCLUDE ItemID WHERE Items.PRICE > $MAX";
        var withoutMax = new FilterRequest { FilterValues = Values(("GENRES", "\"comedy\"")) };
        var withMax = new FilterRequest { FilterValues = Values(("GENRES", "\"comedy\""), ("MAX", "10")) };

        Assert.Equal(["i0", "i1", "i4"], Items(expression, withoutMax));
        Assert.Equal(["i0", "i4"], Items(expression, withMax));
        Assert.Equal(FilterTestData.ItemIds, Items("EXCLUDE ItemID WHERE Items.GENRE IN ($G)"));
    }

    [Theory]
    [InlineData("cheap")]
    [InlineData("\"1\",\"2\"")]
    [InlineData("")]
    public void A_non_numeric_value_for_a_numeric_comparison_fails_naming_the_parameter(string value)
    {
        var error = Assert.Throws<InvalidInputException>(() => Items(
            "INCLUDE ItemID WHERE Items.PRICE < $MAX", new FilterRequest { FilterValues = Values(("MAX", value)) }));

        Assert.Contains("$MAX", Assert.Single(error.Errors["filterValues.MAX"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"comedy")]
    [InlineData("\"comedy\" \"drama\"")]
    [InlineData("\"comedy\",")]
    public void A_malformed_list_value_fails_naming_the_parameter(string value)
    {
        var error = Assert.Throws<InvalidInputException>(() => Items(
            "INCLUDE ItemID WHERE Items.GENRE IN ($G)", new FilterRequest { FilterValues = Values(("G", value)) }));

        Assert.True(error.Errors.ContainsKey("filterValues.G"));
    }

    [Fact]
    public void Filter_values_over_personalizes_limits_are_rejected()
    {
        var many = Enumerable.Range(0, 26).ToDictionary(i => "P" + i, _ => "\"x\"");
        Assert.Throws<InvalidInputException>(() => Items("INCLUDE ItemID WHERE Items.GENRE IN ($P0)", new FilterRequest { FilterValues = many }));

        var longValue = Values(("P0", "\"" + new string('x', 1_000) + "\""));
        var error = Assert.Throws<InvalidInputException>(() => Items("INCLUDE ItemID WHERE Items.GENRE IN ($P0)", new FilterRequest { FilterValues = longValue }));
        Assert.True(error.Errors.ContainsKey("filterValues.P0"));
    }

    [Fact]
    public void Interaction_conditions_see_the_users_recent_items_per_event_type_ignoring_case()
    {
        var history = new RecentInteractions([("i1", "click"), ("i2", "Purchase"), ("i3", "click"), ("unknown", "click")]);
        var request = new FilterRequest { UserId = "u0", Interactions = history };

        Assert.Equal(["i0", "i4", "i5"], Items("EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"click\", \"purchase\")", request));
        Assert.Equal(["i2"], Items("INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"PURCHASE\")", request));
        Assert.Equal(["i1", "i2", "i3"], Items("INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"*\")", request));
        Assert.Equal(["i0", "i2", "i4", "i5"], Items("INCLUDE ItemID WHERE Interactions.EVENT_TYPE NOT IN (\"click\")", request));
        Assert.Equal(["i1", "i3"], Items("INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($TYPES)",
            new FilterRequest { Interactions = history, FilterValues = Values(("TYPES", "\"click\"")) }));
        Assert.Equal(FilterTestData.ItemIds, Items("EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"click\")", new FilterRequest()));
    }

    [Fact]
    public void Only_the_most_recent_interactions_per_event_type_count()
    {
        var history = new RecentInteractions([("i1", "click"), ("i2", "click"), ("i3", "click"), ("i4", "view")], perEventType: 2);

        Assert.Equal(["i0", "i3", "i5"], Items("EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"*\")", new FilterRequest { Interactions = history }));
    }

    [Fact]
    public void If_current_user_applies_the_clause_only_when_the_conditions_hold()
    {
        const string expression = "EXCLUDE ItemID WHERE Items.GENRE IN (\"horror\") IF CurrentUser.AGE < 18";

        Assert.Equal(["i0", "i1", "i3", "i5"], Items(expression, new FilterRequest { UserId = "u2" }));
        Assert.Equal(FilterTestData.ItemIds, Items(expression, new FilterRequest { UserId = "u0" }));
        Assert.Equal(FilterTestData.ItemIds, Items(expression, new FilterRequest { UserId = "nobody" }));
        Assert.Equal(FilterTestData.ItemIds, Items(expression, new FilterRequest()));

        const string include = "INCLUDE ItemID WHERE Items.PRICE > 20 IF CurrentUser.MEMBERSHIP IN ($LEVEL) AND CurrentUser.AGE >= 18";
        Assert.Equal(["i2", "i3"], Items(include, new FilterRequest { UserId = "u0", FilterValues = Values(("LEVEL", "\"gold\"")) }));
        Assert.Equal(FilterTestData.ItemIds, Items(include, new FilterRequest { UserId = "u1", FilterValues = Values(("LEVEL", "\"gold\"")) }));
        Assert.Equal(["i2", "i3"], Items(
            "INCLUDE ItemID WHERE Items.PRICE > 20 IF CurrentUser.MEMBERSHIP NOT IN (\"silver\")", new FilterRequest { UserId = "u0" }));
    }

    [Fact]
    public void Current_item_operands_compare_with_the_requests_item()
    {
        var request = new FilterRequest { CurrentItemId = "i2" };

        Assert.Equal(["i0", "i1"], Items("INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE", request));
        Assert.Equal(["i2", "i4"], Items("INCLUDE ItemID WHERE Items.GENRE IN CurrentItem.GENRE", request));
        Assert.Equal(["i1", "i3", "i4", "i5"], Items("EXCLUDE ItemID WHERE Items.COLOR IN (CurrentItem.COLOR)", request));
        // The current item has no price: a comparison with it matches nothing.
        Assert.Empty(Items("INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE", new FilterRequest { CurrentItemId = "i4" }));
        Assert.Empty(Items("INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE", new FilterRequest { CurrentItemId = "not-an-item" }));
    }

    [Fact]
    public void A_current_item_filter_needs_an_item()
    {
        var error = Assert.Throws<InvalidInputException>(() => Items("INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE"));

        Assert.True(error.Errors.ContainsKey("itemId"));
    }

    [Fact]
    public void UserID_filters_select_users_for_segments()
    {
        var eventTypes = new CategoricalField([["click"], [], ["Purchase", "click"]], ignoreCase: true);
        var data = new FilterData(null, FilterTestData.Users, eventTypes);
        string[] Users(string expression, FilterRequest? request = null)
        {
            var predicate = CompiledFilter.Compile(FilterParser.Parse(expression), data).Bind(request ?? new FilterRequest());
            return Enumerable.Range(0, 3).Where(predicate.Matches).Select(i => "u" + i).ToArray();
        }

        Assert.Equal(["u0", "u2"], Users("INCLUDE UserID WHERE Users.MEMBERSHIP IN ($M)", new FilterRequest { FilterValues = Values(("M", "\"gold\"")) }));
        Assert.Equal(["u0", "u1"], Users("INCLUDE UserID WHERE Users.AGE >= 18"));
        Assert.Equal(["u1"], Users("EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN (\"purchase\") | EXCLUDE UserID WHERE Users.AGE < 20 OR Users.AGE = 25"));
        Assert.Equal(["u0", "u2"], Users("INCLUDE UserID WHERE Interactions.EVENT_TYPE IN (\"*\")"));
        Assert.Throws<ArgumentException>(() => CompiledFilter.Compile(FilterParser.Parse("INCLUDE ItemID WHERE Items.PRICE > 1"), data));
    }

    [Fact]
    public void Select_copies_passing_candidates_in_order_and_stops_when_full()
    {
        var predicate = CompiledFilter.Compile(FilterParser.Parse("EXCLUDE ItemID WHERE Items.GENRE IN (\"comedy\")"), s_data).Bind(new FilterRequest());
        Span<int> destination = stackalloc int[2];

        var count = predicate.Select([0, 2, 1, 3, 5], destination, out var examined);

        Assert.Equal(2, count);
        Assert.Equal(4, examined);
        Assert.Equal([2, 3], destination.ToArray());
        Assert.Equal(0, predicate.IncludeCount);
        Assert.Equal(1, predicate.ExcludeCount);
    }

    [Fact]
    public void A_filter_with_no_applicable_clause_passes_everything()
    {
        var predicate = CompiledFilter.Compile(FilterParser.Parse("EXCLUDE ItemID WHERE Items.GENRE IN ($G)"), s_data).Bind(new FilterRequest());

        Assert.True(predicate.IsUnrestricted);
        Assert.True(predicate.Matches(1_000));
    }
}
