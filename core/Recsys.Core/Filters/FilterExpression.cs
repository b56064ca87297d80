namespace Recsys.Core.Filters;

/// <summary>Whether a clause keeps (INCLUDE) or removes (EXCLUDE) what its condition matches.</summary>
public enum FilterAction
{
    /// <summary><c>INCLUDE</c>: keep only what matches (the union over all INCLUDE clauses).</summary>
    Include,

    /// <summary><c>EXCLUDE</c>: remove what matches (the union over all EXCLUDE clauses).</summary>
    Exclude,
}

/// <summary>What a filter selects: items (recommendations, ranking) or users (user segments).</summary>
public enum FilterTarget
{
    /// <summary><c>ItemID</c>.</summary>
    Items,

    /// <summary><c>UserID</c>.</summary>
    Users,
}

/// <summary>The dataset a field reference names.</summary>
public enum FilterDataset
{
    /// <summary><c>Items.FIELD</c>: the candidate item's metadata.</summary>
    Items,

    /// <summary><c>Interactions.EVENT_TYPE</c>: the user's most recent interactions.</summary>
    Interactions,

    /// <summary><c>Users.FIELD</c>: the candidate user's metadata (user segment filters).</summary>
    Users,

    /// <summary><c>CurrentItem.FIELD</c>: the request's item (related-items recommendations).</summary>
    CurrentItem,

    /// <summary><c>CurrentUser.FIELD</c>: the request's user (in <c>IF</c> conditions).</summary>
    CurrentUser,
}

/// <summary>A comparison operator.</summary>
public enum FilterOperator
{
    /// <summary><c>IN</c>: the field has one of the values.</summary>
    In,

    /// <summary><c>NOT IN</c>: the field has none of the values.</summary>
    NotIn,

    /// <summary><c>=</c> (numeric).</summary>
    Equal,

    /// <summary><c>!=</c> (numeric).</summary>
    NotEqual,

    /// <summary><c>&lt;</c> (numeric).</summary>
    Less,

    /// <summary><c>&lt;=</c> (numeric).</summary>
    LessOrEqual,

    /// <summary><c>&gt;</c> (numeric).</summary>
    Greater,

    /// <summary><c>&gt;=</c> (numeric).</summary>
    GreaterOrEqual,
}

/// <summary>A <c>Dataset.FIELD</c> reference.</summary>
/// <param name="Dataset">The dataset named before the dot.</param>
/// <param name="Field">The field name as written.</param>
/// <param name="Position">Zero-based character offset of the reference in the expression.</param>
public sealed record FieldReference(FilterDataset Dataset, string Field, int Position)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Dataset}.{Field}";
}

/// <summary>The right-hand side of a comparison.</summary>
/// <param name="Position">Zero-based character offset of the operand in the expression.</param>
public abstract record FilterOperand(int Position);

/// <summary>A list of quoted string values: <c>("a", "b")</c>; <c>"*"</c> means any event type.</summary>
/// <param name="Values">The values, unquoted.</param>
/// <param name="Position">Zero-based offset.</param>
public sealed record ValueListOperand(IReadOnlyList<string> Values, int Position) : FilterOperand(Position);

/// <summary>A numeric literal.</summary>
/// <param name="Value">The number.</param>
/// <param name="Position">Zero-based offset.</param>
public sealed record NumberOperand(double Value, int Position) : FilterOperand(Position);

/// <summary>A <c>$NAME</c> placeholder whose value comes from the request's <c>filterValues</c>.</summary>
/// <param name="Name">The parameter name without the <c>$</c> (case-sensitive).</param>
/// <param name="Position">Zero-based offset.</param>
public sealed record ParameterOperand(string Name, int Position) : FilterOperand(Position);

/// <summary>A field of the current item (<c>CurrentItem.FIELD</c>) used as the operand.</summary>
/// <param name="Field">The referenced field.</param>
public sealed record FieldOperand(FieldReference Field) : FilterOperand(Field.Position);

/// <summary>A condition of a clause: a comparison, or comparisons joined by AND / OR.</summary>
public abstract record FilterCondition;

/// <summary><c>Dataset.FIELD operator operand</c>.</summary>
/// <param name="Field">The field tested.</param>
/// <param name="Operator">The operator.</param>
/// <param name="Operand">What the field is compared with.</param>
public sealed record Comparison(FieldReference Field, FilterOperator Operator, FilterOperand Operand) : FilterCondition;

/// <summary>Conditions that must all hold.</summary>
/// <param name="Conditions">Two or more conditions.</param>
public sealed record AndCondition(IReadOnlyList<FilterCondition> Conditions) : FilterCondition;

/// <summary>Conditions of which one must hold.</summary>
/// <param name="Conditions">Two or more conditions.</param>
public sealed record OrCondition(IReadOnlyList<FilterCondition> Conditions) : FilterCondition;

/// <summary>One <c>INCLUDE</c> / <c>EXCLUDE</c> clause of an expression (clauses are separated by <c>|</c>).</summary>
/// <param name="Action">INCLUDE or EXCLUDE.</param>
/// <param name="Target">ItemID or UserID.</param>
/// <param name="Where">The condition after WHERE.</param>
/// <param name="If">The <c>IF CurrentUser…</c> conditions (all must hold for the clause to apply); empty when absent.</param>
/// <param name="Position">Zero-based offset of the clause.</param>
public sealed record FilterClause(FilterAction Action, FilterTarget Target, FilterCondition Where, IReadOnlyList<Comparison> If, int Position)
{
    /// <summary>Every comparison of the clause, WHERE then IF, in order of appearance.</summary>
    public IEnumerable<Comparison> Comparisons() => Flatten(Where).Concat(If);

    /// <summary>The names of the parameters the clause uses, in order of first appearance.</summary>
    public IEnumerable<string> Parameters()
        => Comparisons().Select(c => c.Operand).OfType<ParameterOperand>().Select(p => p.Name).Distinct(StringComparer.Ordinal);

    internal static IEnumerable<Comparison> Flatten(FilterCondition condition) => condition switch
    {
        Comparison comparison => [comparison],
        AndCondition and => and.Conditions.SelectMany(Flatten),
        OrCondition or => or.Conditions.SelectMany(Flatten),
        _ => throw new ArgumentOutOfRangeException(nameof(condition)),
    };
}

/// <summary>
/// A parsed filter expression (Personalize's filter language): clauses separated by <c>|</c>. The result of a filter
/// is the union of its INCLUDE clauses (everything when there is none) minus the union of its EXCLUDE clauses.
/// Create one with <see cref="FilterParser.Parse"/>.
/// </summary>
public sealed class FilterExpression
{
    internal FilterExpression(string text, IReadOnlyList<FilterClause> clauses)
    {
        Text = text;
        Clauses = clauses;
        Target = clauses[0].Target;
        Parameters = clauses.SelectMany(c => c.Parameters()).Distinct(StringComparer.Ordinal).ToArray();
        Fields = clauses.SelectMany(c => c.Comparisons())
            .SelectMany(c => c.Operand is FieldOperand f ? new[] { c.Field, f.Field } : [c.Field])
            .Select(FieldKey)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The clauses in order.</summary>
    public IReadOnlyList<FilterClause> Clauses { get; }

    /// <summary>Whether the filter selects items or users (all clauses agree).</summary>
    public FilterTarget Target { get; }

    /// <summary>The distinct parameter names (without <c>$</c>), in order of first appearance.</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>
    /// The distinct dataset fields used, as <c>ITEMS.FIELD</c>, <c>USERS.FIELD</c> or <c>INTERACTIONS.EVENT_TYPE</c>
    /// (<c>CurrentItem</c> counts as Items and <c>CurrentUser</c> as Users), upper-case.
    /// </summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Whether any clause compares with <c>CurrentItem</c> (the request must name an item).</summary>
    public bool UsesCurrentItem => Clauses.SelectMany(c => c.Comparisons()).Any(c => c.Operand is FieldOperand);

    /// <summary>Whether any clause has an <c>IF CurrentUser</c> condition.</summary>
    public bool UsesCurrentUser => Clauses.Any(c => c.If.Count > 0);

    /// <summary>Whether any clause tests <c>Interactions.EVENT_TYPE</c> (the request must name a user).</summary>
    public bool UsesInteractions => Clauses.SelectMany(c => c.Comparisons()).Any(c => c.Field.Dataset == FilterDataset.Interactions);

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static string FieldKey(FieldReference field)
    {
        var dataset = field.Dataset switch
        {
            FilterDataset.Items or FilterDataset.CurrentItem => "ITEMS",
            FilterDataset.Users or FilterDataset.CurrentUser => "USERS",
            _ => "INTERACTIONS",
        };
        return dataset + "." + field.Field.ToUpperInvariant();
    }
}
