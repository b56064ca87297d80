namespace Recsys.Data.Import;

/// <summary>The outcome of reading one CSV file.</summary>
public sealed class CsvImportResult
{
    internal CsvImportResult(
        string? failureReason,
        long rowsRead,
        long rowsImported,
        long rowsRejected,
        IReadOnlyList<CsvRowError> errors,
        IReadOnlyDictionary<string, string> columnMap,
        long valuesTruncated)
    {
        FailureReason = failureReason;
        RowsRead = rowsRead;
        RowsImported = rowsImported;
        RowsRejected = rowsRejected;
        Errors = errors;
        ColumnMap = columnMap;
        ValuesTruncated = valuesTruncated;
    }

    /// <summary>
    /// True when the file was read to the end. Rejected rows do not fail the import; a whole-file problem (empty
    /// file, missing or duplicate column, malformed CSV, invalid UTF-8) does, and then whatever the sink received
    /// must be discarded.
    /// </summary>
    public bool Succeeded => FailureReason is null;

    /// <summary>Why the import failed, or null when it succeeded.</summary>
    public string? FailureReason { get; }

    /// <summary>Data rows read (accepted plus rejected).</summary>
    public long RowsRead { get; }

    /// <summary>Rows that passed validation and went to the sink.</summary>
    public long RowsImported { get; }

    /// <summary>Rows that failed validation.</summary>
    public long RowsRejected { get; }

    /// <summary>The first rejected rows (up to <see cref="CsvImportOptions.MaxReportedErrors"/>), in file order.</summary>
    public IReadOnlyList<CsvRowError> Errors { get; }

    /// <summary>How the CSV header was mapped: header name as written → schema field name.</summary>
    public IReadOnlyDictionary<string, string> ColumnMap { get; }

    /// <summary>Textual values cut to <see cref="PersonalizeLimits.MaxTextualValueLength"/> characters, as Personalize does.</summary>
    public long ValuesTruncated { get; }
}
