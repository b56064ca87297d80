namespace Recsys.Data.Schemas;

/// <summary>
/// A schema document is not a valid Personalize schema for its dataset type. <see cref="Errors"/> lists every problem
/// found, by JSON path (e.g. <c>fields[2].type</c>), so the caller can report them all at once.
/// </summary>
public sealed class InvalidSchemaException : FormatException
{
    /// <summary>Creates the exception with every problem found, by JSON path.</summary>
    public InvalidSchemaException(IReadOnlyDictionary<string, string[]> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Problems by JSON path of the schema element (<c>$</c> for the document itself).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string Describe(IReadOnlyDictionary<string, string[]> errors)
    {
        var count = errors.Values.Sum(e => e.Length);
        return count == 1
            ? "The schema is invalid: " + errors.Values.First()[0]
            : $"The schema is invalid ({count} problems): " + string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
    }
}
