namespace Recsys.Core.Filters;

/// <summary>A compiled condition over rows.</summary>
internal abstract class FilterNode
{
    public abstract bool Matches(int row);
}

internal sealed class ConstantNode(bool value) : FilterNode
{
    public static readonly ConstantNode True = new(true);
    public static readonly ConstantNode False = new(false);

    public bool Value { get; } = value;

    public override bool Matches(int row) => Value;
}

/// <summary>Rows in a precomputed bitset (a constant value list).</summary>
internal sealed class BitsetNode(ulong[] bits) : FilterNode
{
    public override bool Matches(int row) => Bits.Get(bits, row);
}

/// <summary>Rows whose categorical values include one of a short sorted list of value ids.</summary>
internal sealed class AnyOfNode(CategoricalField column, int[] sortedIds) : FilterNode
{
    public override bool Matches(int row) => column.HasAny(row, sortedIds);
}

/// <summary>Rows with any value at all (event type <c>"*"</c>).</summary>
internal sealed class HasAnyValueNode(CategoricalField column) : FilterNode
{
    public override bool Matches(int row) => column.HasAnyValue(row);
}

/// <summary>Rows in a sorted list (the items of the user's recent interactions).</summary>
internal sealed class RowSetNode(int[] sortedRows) : FilterNode
{
    public override bool Matches(int row) => Array.BinarySearch(sortedRows, row) >= 0;
}

/// <summary>Rows whose numeric value compares as required with a constant; rows without a value never match.</summary>
internal sealed class NumericNode(NumericField column, FilterOperator op, double operand) : FilterNode
{
    public override bool Matches(int row)
    {
        if (!column.TryGetValue(row, out var value))
        {
            return false;
        }

        return op switch
        {
            FilterOperator.Equal => value == operand,
            FilterOperator.NotEqual => value != operand,
            FilterOperator.Less => value < operand,
            FilterOperator.LessOrEqual => value <= operand,
            FilterOperator.Greater => value > operand,
            FilterOperator.GreaterOrEqual => value >= operand,
            _ => false,
        };
    }
}

internal sealed class NotNode(FilterNode inner) : FilterNode
{
    public override bool Matches(int row) => !inner.Matches(row);
}

internal sealed class AndNode(FilterNode[] terms) : FilterNode
{
    public override bool Matches(int row)
    {
        foreach (var term in terms)
        {
            if (!term.Matches(row))
            {
                return false;
            }
        }

        return true;
    }
}

internal sealed class OrNode(FilterNode[] terms) : FilterNode
{
    public override bool Matches(int row)
    {
        foreach (var term in terms)
        {
            if (term.Matches(row))
            {
                return true;
            }
        }

        return false;
    }
}
