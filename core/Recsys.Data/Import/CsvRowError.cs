namespace Recsys.Data.Import;

/// <summary>Why a CSV row was rejected.</summary>
/// <param name="Line">1-based line number in the file where the row starts (the header is line 1).</param>
/// <param name="Column">The CSV column (header name as written in the file), or null when the problem is the whole row.</param>
/// <param name="Reason">What is wrong, for a person to read.</param>
public sealed record CsvRowError(long Line, string? Column, string Reason);
