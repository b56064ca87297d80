namespace Recsys.Data.Import;

/// <summary>Options for <see cref="CsvDatasetReader.ReadAsync"/>.</summary>
public sealed class CsvImportOptions
{
    /// <summary>
    /// Maps CSV header names (ignoring case) to schema field names, for files whose headers differ from the schema,
    /// e.g. <c>movieId → ITEM_ID</c>. Headers not listed here are matched to fields by name, ignoring case and
    /// <c>_</c> (so <c>userId</c> finds <c>USER_ID</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string>? ColumnMapping { get; init; }

    /// <summary>When true, columns that match no schema field are skipped; by default they fail the import.</summary>
    public bool IgnoreUnknownColumns { get; init; }

    /// <summary>
    /// The file name, used only to detect gzip by its <c>.gz</c> extension; gzip is also detected by its magic
    /// bytes, so this may be null.
    /// </summary>
    public string? FileName { get; init; }

    /// <summary>How many rejected rows to keep in <see cref="CsvImportResult.Errors"/> (all are counted). Default 100.</summary>
    public int MaxReportedErrors { get; init; } = 100;

    /// <summary>Rows per <see cref="Records.RecordBatch"/> handed to the sink (a Parquet row group). Default 1,000,000.</summary>
    public int BatchSize { get; init; } = 1_000_000;

    /// <summary>Receives the number of rows read so far, every <see cref="ProgressInterval"/> rows and at the end.</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>Rows between two <see cref="Progress"/> reports. Default 100,000.</summary>
    public int ProgressInterval { get; init; } = 100_000;
}
