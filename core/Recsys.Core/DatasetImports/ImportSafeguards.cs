using System.Globalization;
using Recsys.Core.Datasets;
using Recsys.Data.Import;

namespace Recsys.Core.DatasetImports;

/// <summary>
/// What an import checks against the manifest it is about to replace, inside the commit (so a concurrent commit
/// cannot slip past): an INCREMENTAL import of bytes a committed segment came from is a duplicate, and a FULL import
/// that would replace data fails when it rejected more than its share of rows or would shrink the dataset by more
/// than half, unless the job allows it.
/// </summary>
internal static class ImportSafeguards
{
    /// <summary>Throws <see cref="ImportDeclinedException"/> when the import must leave <paramref name="manifest"/> as it is.</summary>
    public static void Screen(DatasetImportJob job, CsvImportResult result, string? contentSha256, DatasetManifest manifest, DatasetImportOptions options)
    {
        if (job.ImportMode == ImportMode.Incremental)
        {
            if (contentSha256 is not null && manifest.ImportedFrom(contentSha256) is { } earlier)
            {
                throw new ImportDeclinedException(
                    $"The file's content was already imported into this dataset by '{earlier.ImportJob}'; nothing was imported again.")
                {
                    DuplicateOf = earlier.ImportJob,
                };
            }

            return;
        }

        var previous = manifest.ImportedRows;
        if (previous == 0)
        {
            return; // nothing to lose
        }

        var maxRejected = job.MaxRejectedPercent ?? options.MaxRejectedPercent;
        var rejectedPercent = result.RowsRead == 0 ? 0 : 100.0 * result.RowsRejected / result.RowsRead;
        if (rejectedPercent > maxRejected)
        {
            throw new ImportDeclinedException(string.Create(
                CultureInfo.InvariantCulture,
                $"FULL import declined by maxRejectedPercent: {result.RowsRejected:N0} of {result.RowsRead:N0} rows were rejected ({rejectedPercent:0.##} %), "
                + $"more than the {maxRejected:0.##} % allowed; the dataset keeps its previous {previous:N0} rows. "
                + $"Fix the rows listed in the error report, or allow more with maxRejectedPercent on the job (a {ImportPaths.MaxRejectedFolderPrefix}N folder for a dropped file)."))
            {
                Safeguard = DatasetImportOptions.Safeguards.MaxRejectedPercent,
                PreviousRows = previous,
            };
        }

        if (!job.AllowShrink && result.RowsImported * 2 < previous)
        {
            throw new ImportDeclinedException(string.Create(
                CultureInfo.InvariantCulture,
                $"FULL import declined by allowShrink: it would replace the dataset's {previous:N0} rows with {result.RowsImported:N0} "
                + $"({result.RowsRead:N0} read, {result.RowsRejected:N0} rejected), shrinking it by more than half; the dataset keeps its previous rows. "
                + $"If that is intended, set allowShrink on the job (an {ImportPaths.AllowShrinkFolder} folder for a dropped file)."))
            {
                Safeguard = DatasetImportOptions.Safeguards.AllowShrink,
                PreviousRows = previous,
            };
        }
    }
}

/// <summary>Why a finished import leaves the dataset as it was: a duplicate file, or a FULL import's safeguard.</summary>
internal sealed class ImportDeclinedException(string message) : Exception(message)
{
    /// <summary>The job whose file had the same content, for a duplicate (the job then ends ACTIVE).</summary>
    public string? DuplicateOf { get; init; }

    /// <summary>The safeguard that fired, for a FULL import (the job then fails with this message).</summary>
    public string? Safeguard { get; init; }

    /// <summary>The dataset's imported rows before the import.</summary>
    public long? PreviousRows { get; init; }

    /// <summary>The job's counts and what was declined; the caller sets its status.</summary>
    public DatasetImportJob Annotate(DatasetImportJob job, CsvImportResult result, string? report, string? contentSha256) => job with
    {
        RowsRead = result.RowsRead,
        RowsImported = 0,
        RowsRejected = result.RowsRejected,
        ErrorReportLocation = report,
        DuplicateOf = DuplicateOf,
        SafeguardFired = Safeguard,
        PreviousRows = PreviousRows,
        ContentSha256 = contentSha256,
    };
}
