namespace Recsys.Core.DatasetImports;

/// <summary>A file in the imports container.</summary>
/// <param name="Name">Blob name.</param>
/// <param name="ETag">Current version.</param>
/// <param name="Length">Bytes.</param>
public sealed record ImportFile(string Name, string ETag, long Length);

/// <summary>Access to the imports container (read-only: dropped files are never changed) and to job reports.</summary>
public interface IImportFileStore
{
    /// <summary>The file's current version, or null when there is no such file.</summary>
    Task<ImportFile?> FindAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams one version of a file; throws <see cref="ImportFileChangedException"/> when the file no longer has
    /// that version (null: the current one).
    /// </summary>
    Task<Stream> OpenReadAsync(string name, string? etag, CancellationToken cancellationToken = default);

    /// <summary>Writes a job's report of rejected rows and returns its location.</summary>
    Task<string> WriteErrorReportAsync(string jobName, string csv, CancellationToken cancellationToken = default);

    /// <summary>Reads a job's report of rejected rows, or null.</summary>
    Task<string?> ReadErrorReportAsync(string jobName, CancellationToken cancellationToken = default);
}

/// <summary>The file changed (or disappeared) since the version an import was asked for.</summary>
public sealed class ImportFileChangedException(string message) : Exception(message);
