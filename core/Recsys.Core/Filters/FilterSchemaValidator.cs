using Recsys.Core.Errors;
using Recsys.Data.Schemas;

namespace Recsys.Core.Filters;

/// <summary>The schemas of a dataset group's datasets (null where the group has no such dataset).</summary>
/// <param name="Items">The Items dataset's schema.</param>
/// <param name="Users">The Users dataset's schema.</param>
/// <param name="Interactions">The Interactions dataset's schema.</param>
public sealed record FilterSchemas(DatasetSchema? Items, DatasetSchema? Users, DatasetSchema? Interactions);

/// <summary>
/// Checks a parsed filter against the dataset group's schemas, as Personalize does when a filter is created: every
/// field exists; <c>IN</c> / <c>NOT IN</c> test string fields and comparison operators numeric ones; textual and
/// boolean fields cannot be filtered on; a dataset the filter names exists.
/// </summary>
public static class FilterSchemaValidator
{
    /// <summary>Validates <paramref name="expression"/> against <paramref name="schemas"/>.</summary>
    /// <exception cref="InvalidInputException">One or more problems, all listed under <c>filterExpression</c>.</exception>
    public static void Validate(FilterExpression expression, FilterSchemas schemas)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(schemas);
        var problems = new List<string>();
        foreach (var comparison in expression.Clauses.SelectMany(c => c.Comparisons()))
        {
            Check(comparison.Field, comparison.Operator, schemas, problems);
            if (comparison.Operand is FieldOperand current)
            {
                Check(current.Field, comparison.Operator, schemas, problems);
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidInputException(
                $"The filter expression does not fit the dataset group's schemas: {problems[0]}",
                new Dictionary<string, string[]> { [FilterParser.Field] = problems.Distinct(StringComparer.Ordinal).ToArray() });
        }
    }

    private static void Check(FieldReference field, FilterOperator op, FilterSchemas schemas, List<string> problems)
    {
        var (schema, typeName) = field.Dataset switch
        {
            FilterDataset.Items or FilterDataset.CurrentItem => (schemas.Items, "Items"),
            FilterDataset.Users or FilterDataset.CurrentUser => (schemas.Users, "Users"),
            _ => (schemas.Interactions, "Interactions"),
        };
        var at = $"at offset {field.Position}: {field}";
        if (schema is null)
        {
            problems.Add($"{at}: the dataset group has no {typeName} dataset.");
            return;
        }

        if (field.Dataset == FilterDataset.Interactions)
        {
            // EVENT_TYPE is always known for events (PutEvents requires it), so the schema need not declare it.
            return;
        }

        var found = schema.FindField(field.Field);
        if (found is null)
        {
            problems.Add($"{at}: the {typeName} schema has no field {field.Field}.");
            return;
        }

        if (found.IsTextual)
        {
            problems.Add($"{at}: {found.Name} is a textual field; textual fields cannot be filtered on.");
            return;
        }

        if (found.Type == FieldType.Boolean)
        {
            problems.Add($"{at}: {found.Name} is boolean; boolean fields cannot be filtered on (use the strings \"True\"/\"False\" or 0/1).");
            return;
        }

        var numeric = IsNumeric(found.Type);
        if (op is FilterOperator.In or FilterOperator.NotIn)
        {
            if (numeric)
            {
                problems.Add($"{at}: {found.Name} is numeric ({found.Type}); IN and NOT IN match strings, use =, !=, <, <=, > or >=.");
            }
        }
        else if (!numeric)
        {
            problems.Add($"{at}: {found.Name} is a string; the operator {Symbol(op)} compares numbers (use IN or NOT IN).");
        }
    }

    internal static bool IsNumeric(FieldType type) => type is FieldType.Int or FieldType.Long or FieldType.Float or FieldType.Double;

    internal static string Symbol(FilterOperator op) => op switch
    {
        FilterOperator.In => "IN",
        FilterOperator.NotIn => "NOT IN",
        FilterOperator.Equal => "=",
        FilterOperator.NotEqual => "!=",
        FilterOperator.Less => "<",
        FilterOperator.LessOrEqual => "<=",
        FilterOperator.Greater => ">",
        _ => ">=",
    };
}
