using System.Globalization;
using System.Text;
using Recsys.Core.Errors;

namespace Recsys.Core.Filters;

/// <summary>
/// A filter expression compiled against the data it reads: constant value lists are resolved once into bitsets of
/// rows, so that binding a request (<see cref="Bind"/>) only resolves parameters, the current user and item, and the
/// user's recent interactions. Compile once per filter and data version; bind per request; share across threads.
/// </summary>
public sealed class CompiledFilter
{
    private const string FilterValuesField = "filterValues";

    private readonly FilterData _data;
    private readonly IAttributeIndex? _subject;
    private readonly Dictionary<Comparison, FilterNode> _constants = new(ReferenceEqualityComparer.Instance);
    private readonly string[][] _clauseParameters;
    private readonly bool _usesCurrentItem;

    private CompiledFilter(FilterExpression expression, FilterData data)
    {
        Expression = expression;
        _data = data;
        _subject = expression.Target == FilterTarget.Items ? data.Items : data.Users;
        _clauseParameters = expression.Clauses.Select(c => c.Parameters().ToArray()).ToArray();
        _usesCurrentItem = expression.UsesCurrentItem;
        foreach (var comparison in expression.Clauses.SelectMany(c => FilterClause.Flatten(c.Where)))
        {
            if (comparison.Operand is ValueListOperand list && comparison.Field.Dataset is FilterDataset.Items or FilterDataset.Users)
            {
                var column = _subject?.FindCategorical(comparison.Field.Field);
                var rows = column is null ? null : column.RowsWithAny(column.ToSortedIds(list.Values), _subject!.Count);
                FilterNode node = rows is null ? ConstantNode.False : new BitsetNode(rows);
                _constants[comparison] = comparison.Operator == FilterOperator.NotIn ? Not(node) : node;
            }
        }
    }

    /// <summary>The compiled expression.</summary>
    public FilterExpression Expression { get; }

    /// <summary>Whether rows are items or users.</summary>
    public FilterTarget Target => Expression.Target;

    /// <summary>Compiles <paramref name="expression"/> against <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The data lacks the index the filter's target needs (Items for ItemID, Users for UserID).</exception>
    public static CompiledFilter Compile(FilterExpression expression, FilterData data)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(data);
        if (expression.Target == FilterTarget.Items && data.Items is null)
        {
            throw new ArgumentException("An ItemID filter needs the item index.", nameof(data));
        }

        if (expression.Target == FilterTarget.Users && data.Users is null)
        {
            throw new ArgumentException("A UserID filter needs the user index.", nameof(data));
        }

        return new CompiledFilter(expression, data);
    }

    /// <summary>
    /// Binds the filter to a request. An INCLUDE clause whose parameter is missing fails the request; an EXCLUDE
    /// clause whose parameter is missing is skipped, as in Personalize; a clause whose <c>IF CurrentUser</c>
    /// conditions do not hold (or whose user is unknown) is skipped too.
    /// </summary>
    /// <exception cref="InvalidInputException">
    /// A missing INCLUDE parameter or an invalid value (field <c>filterValues.NAME</c>), <c>filterValues</c> over
    /// Personalize's limits, or a <c>CurrentItem</c> filter without an item (field <c>itemId</c>).
    /// </exception>
    public FilterPredicate Bind(FilterRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.FilterValues ?? new Dictionary<string, string>();
        CheckFilterValues(values);
        var currentItem = -1;
        if (_usesCurrentItem)
        {
            if (string.IsNullOrEmpty(request.CurrentItemId))
            {
                throw new InvalidInputException("itemId", "The filter compares with CurrentItem; the request needs an itemId.");
            }

            if (!_data.Items!.TryGetIndex(request.CurrentItemId, out currentItem))
            {
                currentItem = -1;
            }
        }

        var includes = new List<FilterNode>();
        var excludes = new List<FilterNode>();
        for (var c = 0; c < Expression.Clauses.Count; c++)
        {
            var clause = Expression.Clauses[c];
            var missing = Array.Find(_clauseParameters[c], p => !values.ContainsKey(p));
            if (missing is not null)
            {
                if (clause.Action == FilterAction.Exclude)
                {
                    continue;
                }

                throw new InvalidInputException(FilterValuesField + "." + missing,
                    $"The filter's INCLUDE clause needs the parameter ${missing}; give it in filterValues.");
            }

            if (!CurrentUserHolds(clause, request.UserId, values))
            {
                continue;
            }

            var node = Build(clause.Where, values, request, currentItem);
            (clause.Action == FilterAction.Include ? includes : excludes).Add(node);
        }

        return includes.Count == 0 && excludes.Count == 0 ? FilterPredicate.All : new FilterPredicate([.. includes], [.. excludes]);
    }

    private FilterNode Build(FilterCondition condition, IReadOnlyDictionary<string, string> values, FilterRequest request, int currentItem)
    {
        switch (condition)
        {
            case AndCondition and:
                var all = and.Conditions.Select(c => Build(c, values, request, currentItem)).ToArray();
                return all.Any(n => n is ConstantNode { Value: false }) ? ConstantNode.False : new AndNode(all);
            case OrCondition or:
                var any = or.Conditions.Select(c => Build(c, values, request, currentItem)).ToArray();
                return any.Any(n => n is ConstantNode { Value: true }) ? ConstantNode.True : new OrNode(any);
            case Comparison comparison:
                return _constants.TryGetValue(comparison, out var constant) ? constant : BuildComparison(comparison, values, request, currentItem);
            default:
                throw new ArgumentOutOfRangeException(nameof(condition));
        }
    }

    private FilterNode BuildComparison(Comparison comparison, IReadOnlyDictionary<string, string> values, FilterRequest request, int currentItem)
    {
        var op = comparison.Operator;
        if (comparison.Field.Dataset == FilterDataset.Interactions)
        {
            var types = ListValues(comparison.Operand, values);
            var matches = Target == FilterTarget.Items ? InteractedItems(types, request.Interactions) : UsersWithEventTypes(types);
            return op == FilterOperator.NotIn ? Not(matches) : matches;
        }

        if (op is FilterOperator.In or FilterOperator.NotIn)
        {
            var column = _subject!.FindCategorical(comparison.Field.Field);
            var wanted = comparison.Operand is FieldOperand current
                ? CurrentItemStrings(current.Field.Field, currentItem)
                : ListValues(comparison.Operand, values);
            var ids = column?.ToSortedIds(wanted);
            FilterNode node = column is null || ids!.Length == 0 ? ConstantNode.False : new AnyOfNode(column, ids);
            return op == FilterOperator.NotIn ? Not(node) : node;
        }

        var numeric = _subject!.FindNumeric(comparison.Field.Field);
        var operand = NumericOperand(comparison.Operand, values, currentItem);
        return numeric is null || operand is null ? ConstantNode.False : new NumericNode(numeric, op, operand.Value);
    }

    private bool CurrentUserHolds(FilterClause clause, string? userId, IReadOnlyDictionary<string, string> values)
    {
        if (clause.If.Count == 0)
        {
            return true;
        }

        var users = _data.Users;
        if (users is null || userId is null || !users.TryGetIndex(userId, out var row))
        {
            return false;
        }

        foreach (var condition in clause.If)
        {
            bool holds;
            if (condition.Operator is FilterOperator.In or FilterOperator.NotIn)
            {
                var column = users.FindCategorical(condition.Field.Field);
                var own = column?.ValuesAt(row) ?? [];
                var wanted = ListValues(condition.Operand, values);
                var any = own.Any(v => wanted.Contains(v, StringComparer.Ordinal));
                holds = condition.Operator == FilterOperator.In ? any : !any;
            }
            else
            {
                var column = users.FindNumeric(condition.Field.Field);
                var operand = NumericOperand(condition.Operand, values, -1);
                holds = column is not null && operand is not null && new NumericNode(column, condition.Operator, operand.Value).Matches(row);
            }

            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    private FilterNode InteractedItems(IReadOnlyList<string> types, IRecentInteractions? interactions)
    {
        if (interactions is null || interactions.EventTypes.Count == 0)
        {
            return ConstantNode.False;
        }

        var anyType = types.Contains("*", StringComparer.Ordinal);
        var rows = new List<int>();
        foreach (var type in interactions.EventTypes)
        {
            if (!anyType && !types.Contains(type, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var itemId in interactions.ItemsFor(type))
            {
                if (_data.Items!.TryGetIndex(itemId, out var row))
                {
                    rows.Add(row);
                }
            }
        }

        if (rows.Count == 0)
        {
            return ConstantNode.False;
        }

        rows.Sort();
        return new RowSetNode([.. rows.Distinct()]);
    }

    private FilterNode UsersWithEventTypes(IReadOnlyList<string> types)
    {
        var column = _data.UserEventTypes;
        if (column is null)
        {
            return ConstantNode.False;
        }

        if (types.Contains("*", StringComparer.Ordinal))
        {
            return new HasAnyValueNode(column);
        }

        var ids = column.ToSortedIds(types);
        return ids.Length == 0 ? ConstantNode.False : new AnyOfNode(column, ids);
    }

    private IReadOnlyList<string> CurrentItemStrings(string field, int currentItem)
        => currentItem < 0 ? [] : _data.Items!.FindCategorical(field)?.ValuesAt(currentItem) ?? [];

    private double? NumericOperand(FilterOperand operand, IReadOnlyDictionary<string, string> values, int currentItem)
    {
        switch (operand)
        {
            case NumberOperand number:
                return number.Value;
            case FieldOperand current:
                return currentItem >= 0 && _data.Items!.FindNumeric(current.Field.Field) is { } column && column.TryGetValue(currentItem, out var value)
                    ? value
                    : null;
            case ParameterOperand parameter:
                var parsed = ParseParameter(parameter.Name, values[parameter.Name]);
                if (parsed.Count != 1 || !double.TryParse(parsed[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var number2))
                {
                    throw new InvalidInputException(FilterValuesField + "." + parameter.Name,
                        $"The parameter ${parameter.Name} is compared as a number; give one number (e.g. \"10\"), not '{values[parameter.Name]}'.");
                }

                return number2;
            default:
                throw new ArgumentOutOfRangeException(nameof(operand));
        }
    }

    private static IReadOnlyList<string> ListValues(FilterOperand operand, IReadOnlyDictionary<string, string> values) => operand switch
    {
        ValueListOperand list => list.Values,
        ParameterOperand parameter => ParseParameter(parameter.Name, values[parameter.Name]),
        _ => throw new ArgumentOutOfRangeException(nameof(operand)),
    };

    private static FilterNode Not(FilterNode node) => node switch
    {
        ConstantNode constant => constant.Value ? ConstantNode.False : ConstantNode.True,
        _ => new NotNode(node),
    };

    private static void CheckFilterValues(IReadOnlyDictionary<string, string> values)
    {
        if (values.Count > FilterLimits.MaxParameters)
        {
            throw new InvalidInputException(FilterValuesField, $"filterValues has {values.Count} entries; the limit is {FilterLimits.MaxParameters}.");
        }

        foreach (var (name, value) in values)
        {
            if (name.Length is 0 or > FilterLimits.MaxParameterNameLength)
            {
                throw new InvalidInputException(FilterValuesField, $"A filterValues key has 1 to {FilterLimits.MaxParameterNameLength} characters; '{name}' does not.");
            }

            if (value is null || value.Length > FilterLimits.MaxParameterValueLength)
            {
                throw new InvalidInputException(FilterValuesField + "." + name,
                    $"The value of ${name} has at most {FilterLimits.MaxParameterValueLength} characters.");
            }
        }
    }

    /// <summary>
    /// Parses a <c>filterValues</c> value: comma-separated values, each double-quoted (<c>"\"a\",\"b\""</c>, with
    /// <c>\"</c> for a quote inside) or bare (<c>10</c>).
    /// </summary>
    internal static List<string> ParseParameter(string name, string raw)
    {
        var result = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < raw.Length && char.IsWhiteSpace(raw[i]))
            {
                i++;
            }

            if (i == raw.Length)
            {
                if (result.Count > 0)
                {
                    throw BadValue(name, raw, "it ends with a comma");
                }

                break;
            }

            if (raw[i] == '"')
            {
                var value = new StringBuilder();
                i++;
                var closed = false;
                while (i < raw.Length)
                {
                    if (raw[i] == '\\' && i + 1 < raw.Length && raw[i + 1] is '"' or '\\')
                    {
                        value.Append(raw[i + 1]);
                        i += 2;
                    }
                    else if (raw[i] == '"')
                    {
                        i++;
                        closed = true;
                        break;
                    }
                    else
                    {
                        value.Append(raw[i++]);
                    }
                }

                if (!closed)
                {
                    throw BadValue(name, raw, "a quote is not closed");
                }

                result.Add(value.ToString());
            }
            else
            {
                var start = i;
                while (i < raw.Length && raw[i] != ',')
                {
                    i++;
                }

                result.Add(raw[start..i].Trim());
            }

            while (i < raw.Length && char.IsWhiteSpace(raw[i]))
            {
                i++;
            }

            if (result.Count > FilterLimits.MaxValuesPerList)
            {
                throw new InvalidInputException(FilterValuesField + "." + name, $"${name} has more than {FilterLimits.MaxValuesPerList} values.");
            }

            if (i == raw.Length)
            {
                break;
            }

            if (raw[i] != ',')
            {
                throw BadValue(name, raw, $"expected ',' at offset {i}");
            }

            i++;
        }

        return result;
    }

    private static InvalidInputException BadValue(string name, string raw, string problem)
        => new(FilterValuesField + "." + name, $"The value of ${name} ('{raw}') is not a list of quoted values like \"\\\"a\\\",\\\"b\\\"\": {problem}.");
}
