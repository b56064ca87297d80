using Recsys.Core.Errors;
using Recsys.Core.Filters;

namespace Recsys.Core.Tests.Filters;

public sealed class FilterParserTests
{
    [Theory]
    [InlineData("IN (\"a\")", FilterOperator.In)]
    [InlineData("NOT IN (\"a\", \"b\")", FilterOperator.NotIn)]
    [InlineData("= 3", FilterOperator.Equal)]
    [InlineData("!= 3", FilterOperator.NotEqual)]
    [InlineData("< 3", FilterOperator.Less)]
    [InlineData("<= 3", FilterOperator.LessOrEqual)]
    [InlineData("> 3", FilterOperator.Greater)]
    [InlineData(">= -3.5", FilterOperator.GreaterOrEqual)]
    public void Every_operator_parses(string condition, FilterOperator expected)
    {
        var parsed = FilterParser.Parse("INCLUDE ItemID WHERE Items.F " + condition);

        var comparison = Assert.IsType<Comparison>(parsed.Clauses[0].Where);
        Assert.Equal(expected, comparison.Operator);
        Assert.Equal(new FieldReference(FilterDataset.Items, "F", 21), comparison.Field);
    }

    [Fact]
    public void Values_numbers_and_parameters_become_operands()
    {
        var parsed = FilterParser.Parse(
            "INCLUDE ItemID WHERE Items.GENRE IN (\"comedy\", \"say \\\"hi\\\"\") AND Items.PRICE <= 1.5e2 AND Items.COLOR IN ($Color) AND Items.AGE > $MIN_AGE");

        var and = Assert.IsType<AndCondition>(parsed.Clauses[0].Where);
        Assert.Equal(["comedy", "say \"hi\""], Assert.IsType<ValueListOperand>(((Comparison)and.Conditions[0]).Operand).Values);
        Assert.Equal(150, Assert.IsType<NumberOperand>(((Comparison)and.Conditions[1]).Operand).Value);
        Assert.Equal("Color", Assert.IsType<ParameterOperand>(((Comparison)and.Conditions[2]).Operand).Name);
        Assert.Equal(["Color", "MIN_AGE"], parsed.Parameters);
        Assert.Equal(["ITEMS.GENRE", "ITEMS.PRICE", "ITEMS.COLOR", "ITEMS.AGE"], parsed.Fields);
    }

    [Fact]
    public void And_binds_tighter_than_or_and_parentheses_group()
    {
        var plain = FilterParser.Parse("INCLUDE ItemID WHERE Items.A > 1 OR Items.B > 2 AND Items.C > 3");
        var or = Assert.IsType<OrCondition>(plain.Clauses[0].Where);
        Assert.IsType<Comparison>(or.Conditions[0]);
        Assert.Equal(2, Assert.IsType<AndCondition>(or.Conditions[1]).Conditions.Count);

        var grouped = FilterParser.Parse("INCLUDE ItemID WHERE (Items.A > 1 OR Items.B > 2) AND Items.C > 3");
        var and = Assert.IsType<AndCondition>(grouped.Clauses[0].Where);
        Assert.Equal(2, Assert.IsType<OrCondition>(and.Conditions[0]).Conditions.Count);
    }

    [Fact]
    public void Clauses_join_with_a_pipe_and_keywords_ignore_case()
    {
        var parsed = FilterParser.Parse(
            "include itemid where items.GENRE in (\"drama\") | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"click\", \"stream\")");

        Assert.Equal([FilterAction.Include, FilterAction.Exclude], parsed.Clauses.Select(c => c.Action));
        Assert.Equal(FilterTarget.Items, parsed.Target);
        Assert.True(parsed.UsesInteractions);
        Assert.Equal(["ITEMS.GENRE", "INTERACTIONS.EVENT_TYPE"], parsed.Fields);
    }

    [Fact]
    public void If_current_user_conditions_end_a_clause()
    {
        var parsed = FilterParser.Parse(
            "EXCLUDE ItemID WHERE Items.GENRE IN ($GENRE) IF CurrentUser.AGE > 18 AND CurrentUser.SEGMENT IN (\"kids\")");

        var clause = parsed.Clauses[0];
        Assert.Equal(2, clause.If.Count);
        Assert.Equal(FilterDataset.CurrentUser, clause.If[0].Field.Dataset);
        Assert.Equal(FilterOperator.In, clause.If[1].Operator);
        Assert.True(parsed.UsesCurrentUser);
        Assert.Contains("USERS.AGE", parsed.Fields);
    }

    [Fact]
    public void Current_item_is_an_operand_with_or_without_parentheses()
    {
        var parsed = FilterParser.Parse(
            "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.GENRE IN CurrentItem.GENRE AND Items.BRAND IN (CurrentItem.BRAND)");

        var and = Assert.IsType<AndCondition>(parsed.Clauses[0].Where);
        Assert.All(and.Conditions, c => Assert.IsType<FieldOperand>(((Comparison)c).Operand));
        Assert.True(parsed.UsesCurrentItem);
    }

    [Fact]
    public void UserID_clauses_filter_users_for_segments()
    {
        var parsed = FilterParser.Parse("INCLUDE UserID WHERE Users.MEMBERSHIP_STATUS IN ($MEMBERSHIP) | EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN (\"*\")");

        Assert.Equal(FilterTarget.Users, parsed.Target);
        Assert.Equal(FilterDataset.Users, Assert.IsType<Comparison>(parsed.Clauses[0].Where).Field.Dataset);
    }

    [Theory]
    [InlineData("FOO", 0, "FOO", "expected INCLUDE or EXCLUDE")]
    [InlineData("INCLUDE ItemID Items.GENRE IN (\"a\")", 15, "Items", "expected WHERE")]
    [InlineData("INCLUDE Item WHERE Items.GENRE IN (\"a\")", 8, "Item", "expected ItemID or UserID")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"a\"", 40, "end of expression", "expected ',' and another value, or ')'")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN \"a\"", 36, "\"a\"", "expected '('")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE LIKE (\"a\")", 33, "LIKE", "expected IN, NOT IN or a comparison operator")]
    [InlineData("INCLUDE ItemID WHERE Items.PRICE = \"a\"", 35, "\"a\"", "comparison operators compare numbers")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"a\") \"b\"", 42, "\"b\"", "expected '|' and another clause")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"a\") |", 43, "end of expression", "expected INCLUDE or EXCLUDE")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"a\", 3)", 42, "3", "expected a quoted value")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"a) ", 37, "\"a) ", "unterminated string")]
    [InlineData("INCLUDE ItemID WHERE Items.PRICE ! 3", 33, "!", "expected '!='")]
    [InlineData("INCLUDE ItemID WHERE Items.PRICE > $", 35, "$", "expected a parameter name")]
    [InlineData("INCLUDE ItemID WHERE Products.PRICE > 3", 21, "Products", "Datasets are Items, Interactions, Users")]
    [InlineData("INCLUDE ItemID WHERE (Items.PRICE > 3", 37, "end of expression", "expected ')'")]
    public void Syntax_errors_name_the_offset_the_token_and_what_was_expected(string expression, int offset, string token, string expected)
    {
        Assert.False(FilterParser.TryParse(expression, out _, out var error));

        Assert.Equal(offset, error.Position);
        Assert.Equal(token, error.Token);
        Assert.Contains(expected, error.Expected, StringComparison.Ordinal);
        Assert.StartsWith($"Syntax error at offset {offset} near '{token}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EXCLUDE ItemID WHERE Items.GENRE NOT IN ($G)", 41, "cannot be used with NOT IN")]
    [InlineData("INCLUDE ItemID WHERE Items.GENRE IN (\"*\")", 37, "only with Interactions.EVENT_TYPE")]
    [InlineData("INCLUDE ItemID WHERE Interactions.TIMESTAMP IN (\"a\")", 21, "only Interactions.EVENT_TYPE")]
    [InlineData("INCLUDE ItemID WHERE Interactions.EVENT_TYPE = 3", 45, "IN or NOT IN only")]
    [InlineData("INCLUDE ItemID WHERE Items.A IN (\"a\") AND Interactions.EVENT_TYPE IN (\"b\")", 42, "must use the dataset of the first condition")]
    [InlineData("INCLUDE ItemID WHERE Users.AGE > 3", 21, "IF CurrentUser")]
    [InlineData("INCLUDE UserID WHERE Items.PRICE > 3", 21, "a UserID clause tests Users or Interactions")]
    [InlineData("INCLUDE UserID WHERE Users.AGE > CurrentItem.AGE", 33, "only be used in ItemID clauses")]
    [InlineData("INCLUDE ItemID WHERE CurrentUser.AGE > 3", 21, "only be tested in the IF part")]
    [InlineData("INCLUDE ItemID WHERE Items.A > 1 IF CurrentUser.AGE > 1 OR CurrentUser.AGE < 5", 56, "joined with AND")]
    [InlineData("INCLUDE ItemID WHERE Items.A > 1 IF Items.B > 1", 36, "CurrentUser.FIELD only")]
    [InlineData("INCLUDE ItemID WHERE Items.A > 1 | INCLUDE UserID WHERE Users.B > 1", 35, "every clause must filter the same thing")]
    [InlineData("INCLUDE ActionID WHERE Actions.A > 1", 8, "no Actions datasets")]
    public void Rules_that_need_no_schema_are_syntax_errors_with_positions(string expression, int offset, string expected)
    {
        Assert.False(FilterParser.TryParse(expression, out _, out var error));

        Assert.Equal(offset, error.Position);
        Assert.Contains(expected, error.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_throws_invalid_input_naming_the_expression_field()
    {
        var error = Assert.Throws<InvalidInputException>(() => FilterParser.Parse("INCLUDE ItemID WHERE"));

        var problem = Assert.Single(error.Errors["filterExpression"]);
        Assert.Contains("offset 20", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_apply_to_length_fields_parameters_and_lists()
    {
        Assert.False(FilterParser.TryParse(
            "INCLUDE ItemID WHERE Items.A IN (\"" + new string('x', 2_500) + "\")", out _, out var tooLong));
        Assert.Contains("limit is 2500", tooLong.Expected, StringComparison.Ordinal);

        var elevenFields = "INCLUDE ItemID WHERE " + string.Join(" AND ", Enumerable.Range(0, 11).Select(i => $"Items.F{i} > 1"));
        Assert.False(FilterParser.TryParse(elevenFields, out _, out var fields));
        Assert.Contains("11 distinct dataset fields", fields.Expected, StringComparison.Ordinal);

        var tenFields = "INCLUDE ItemID WHERE " + string.Join(" AND ", Enumerable.Range(0, 10).Select(i => $"Items.F{i} > 1"));
        Assert.True(FilterParser.TryParse(tenFields, out _, out _));

        var manyParameters = "INCLUDE ItemID WHERE " + string.Join(" OR ", Enumerable.Range(0, 26).Select(i => $"Items.F > $P{i}"));
        Assert.False(FilterParser.TryParse(manyParameters, out _, out var parameters));
        Assert.Contains("26 parameters", parameters.Expected, StringComparison.Ordinal);

        var longList = "INCLUDE ItemID WHERE Items.F IN (" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"{i}\"")) + ")";
        Assert.False(FilterParser.TryParse(longList, out _, out var list));
        Assert.Contains("at most 100 values", list.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_expression_is_an_error()
    {
        Assert.False(FilterParser.TryParse("  ", out _, out var error));
        Assert.Equal(0, error.Position);
    }
}
