using Recsys.Core.Errors;
using Recsys.Core.Filters;

namespace Recsys.Core.Tests.Filters;

public sealed class FilterSchemaValidatorTests
{
    private static readonly FilterSchemas s_all = new(FilterTestData.ItemsSchema, FilterTestData.UsersSchema, FilterTestData.InteractionsSchema);

    private static string[] Problems(string expression, FilterSchemas? schemas = null)
    {
        var error = Assert.Throws<InvalidInputException>(() => FilterSchemaValidator.Validate(FilterParser.Parse(expression), schemas ?? s_all));
        return error.Errors["filterExpression"];
    }

    [Theory]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN ($G) AND Items.price < 10 | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"click\")")]
    [InlineData("INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP > $T IF CurrentUser.AGE >= 18 AND CurrentUser.MEMBERSHIP IN (\"gold\")")]
    [InlineData("INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.GENRE IN CurrentItem.GENRE")]
    [InlineData("INCLUDE UserID WHERE Users.MEMBERSHIP IN ($M) AND Users.AGE > 3")]
    public void Expressions_that_fit_the_schemas_pass(string expression)
        => FilterSchemaValidator.Validate(FilterParser.Parse(expression), s_all);

    [Fact]
    public void Unknown_fields_are_named()
    {
        var problems = Problems("INCLUDE ItemID WHERE Items.BRAND IN (\"x\") IF CurrentUser.COUNTRY IN (\"fr\")");

        Assert.Equal(2, problems.Length);
        Assert.Contains("the Items schema has no field BRAND", problems[0], StringComparison.Ordinal);
        Assert.Contains("the Users schema has no field COUNTRY", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_numeric_operator_on_a_string_field_is_rejected()
    {
        var problem = Assert.Single(Problems("INCLUDE ItemID WHERE Items.GENRE > 3"));

        Assert.Contains("GENRE is a string; the operator > compares numbers", problem, StringComparison.Ordinal);
        Assert.StartsWith("at offset 21", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void In_on_a_numeric_field_is_rejected()
        => Assert.Contains("PRICE is numeric", Assert.Single(Problems("INCLUDE ItemID WHERE Items.PRICE IN (\"3\")")), StringComparison.Ordinal);

    [Fact]
    public void Textual_and_boolean_fields_cannot_be_filtered_on()
    {
        Assert.Contains("textual", Assert.Single(Problems("EXCLUDE ItemID WHERE Items.DESCRIPTION IN (\"x\")")), StringComparison.Ordinal);
        Assert.Contains("boolean", Assert.Single(Problems("EXCLUDE ItemID WHERE Items.IN_STOCK IN (\"true\")")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_dataset_the_group_lacks_is_named()
    {
        var problems = Problems(
            "INCLUDE ItemID WHERE Items.PRICE > 1 IF CurrentUser.AGE > 1 | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"click\")",
            new FilterSchemas(FilterTestData.ItemsSchema, null, null));

        Assert.Equal(2, problems.Length);
        Assert.Contains("no Users dataset", problems[0], StringComparison.Ordinal);
        Assert.Contains("no Interactions dataset", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Current_item_fields_are_checked_too()
        => Assert.Contains("no field SIZE", Assert.Single(Problems("INCLUDE ItemID WHERE Items.PRICE < CurrentItem.SIZE")), StringComparison.Ordinal);
}
