using System.Diagnostics;
using System.Globalization;
using System.Text;
using Recsys.Core.Datasets;
using Recsys.Core.Errors;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;
using Recsys.Core.Schemas;
using Recsys.Core.Telemetry;
using Recsys.Data.Import;
using Recsys.Data.Segments;

namespace Recsys.Core.DatasetImports;

/// <summary>
/// Runs one import job: streams the file, validates every row against the dataset's schema, writes the accepted
/// rows as one columnar segment, and commits it to the dataset (FULL replaces, INCREMENTAL appends) by replacing
/// the dataset's manifest — so readers see all of the import or none of it, and a failed import changes nothing.
/// The file's SHA-256 is computed on that one read and kept with the segment: an INCREMENTAL import of bytes the
/// dataset already holds is a duplicate (ACTIVE, nothing imported, <see cref="DatasetImportJob.DuplicateOf"/> set). A FULL
/// import that would replace data fails instead when it rejected more than its share of rows or would shrink the
/// dataset by more than half (see <see cref="DatasetImportOptions"/>), unless the job allows it.
/// The job record carries status, progress, counts, the failure reason and the location of the rejected-rows report.
/// A repeated message for a finished job does nothing; one for a job that was interrupted runs it again.
/// Each run is a span of <see cref="RecsysMetrics.ActivitySource"/> and records <c>recsys.import.rows</c> and
/// <c>recsys.import.duration</c> when the job ends.
/// </summary>
/// <param name="jobs">Import job records.</param>
/// <param name="datasets">Dataset records.</param>
/// <param name="schemas">Schema records.</param>
/// <param name="segments">The datasets' segments and manifests.</param>
/// <param name="files">The imports container.</param>
/// <param name="time">Clock.</param>
/// <param name="runner">The job lifecycle.</param>
/// <param name="metrics">Where import metrics go; <see cref="RecsysMetrics.Default"/> when null.</param>
/// <param name="options">Import safeguards; the defaults when null.</param>
public sealed class DatasetImportRunner(
    IResourceStore<DatasetImportJob> jobs,
    IResourceStore<Dataset> datasets,
    IResourceStore<Schema> schemas,
    IDatasetSegmentStore segments,
    IImportFileStore files,
    TimeProvider time,
    JobRunner runner,
    RecsysMetrics? metrics = null,
    DatasetImportOptions? options = null)
{
    private readonly RecsysMetrics _metrics = metrics ?? RecsysMetrics.Default;
    private readonly DatasetImportOptions _options = options ?? new DatasetImportOptions();
    private const string Scope = IResourceStore<DatasetImportJob>.GlobalScope;

    private readonly JobKind<DatasetImportJob> _kind = new("dataset import job", jobs, (j, s) => j with { State = s });

    /// <summary>Import jobs as the job seam sees them (all in the global scope).</summary>
    public JobKind<DatasetImportJob> Kind => _kind;

    /// <summary>
    /// Runs one delivery of an import (see <see cref="JobRunner"/>): a dropped file's job is created on its first
    /// delivery, named after the blob version, so that each version is imported once.
    /// </summary>
    public async Task<JobOutcome<DatasetImportJob>> RunAsync(ImportJobMessage request, JobDelivery delivery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Job ?? (await FindOrCreateDropJobAsync(request, cancellationToken)).Value.Name;
        return await runner.RunAsync(
            _kind, Scope, name, delivery, (record, ct) => ImportMeasuredAsync(record, request, ct), e => e is ImportFileChangedException, cancellationToken);
    }

    /// <summary>Marks a job failed with <paramref name="reason"/> unless it has ended (a poisoned message, an abandoned job).</summary>
    public Task<bool> GiveUpAsync(ImportJobMessage request, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return runner.GiveUpAsync(_kind, Scope, request.Job ?? ImportPaths.DropJobName(request.Blob, request.ETag), reason, cancellationToken);
    }

    // The import inside a span of RecsysMetrics.ActivitySource, recording recsys.import.rows and .duration when it ends.
    private async Task<DatasetImportJob> ImportMeasuredAsync(JobContext<DatasetImportJob> record, ImportJobMessage request, CancellationToken cancellationToken)
    {
        var job = record.Current;
        var started = Stopwatch.GetTimestamp();
        using var activity = RecsysMetrics.ActivitySource.StartActivity("recsys.import");
        activity?.SetTag("recsys.import_job", job.Name);
        activity?.SetTag("recsys.dataset_group", job.DatasetGroup);
        activity?.SetTag("recsys.dataset_type", job.DatasetType?.ToString());
        DatasetImportJob ended;
        try
        {
            ended = await ImportAsync(record, request, cancellationToken);
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }

        activity?.SetTag("recsys.status", ended.State.Status);
        activity?.SetTag("recsys.rows_imported", ended.RowsImported);
        activity?.SetTag("recsys.rows_rejected", ended.RowsRejected);
        if (ended.State.Status != ResourceStatus.Active)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ended.State.FailureReason);
        }

        _metrics.ImportCompleted(ended.DatasetType?.ToString() ?? "unknown", ended.State.Status, ended.RowsImported, ended.RowsRejected, Stopwatch.GetElapsedTime(started));
        return ended;
    }

    private async Task<DatasetImportJob> ImportAsync(JobContext<DatasetImportJob> record, ImportJobMessage request, CancellationToken cancellationToken)
    {
        var job = record.Current;
        var dataset = await datasets.FindAsync(job.DatasetGroup, Dataset.TypeKey(job.DatasetType!.Value), cancellationToken);
        if (dataset is null)
        {
            return await record.FailAsync($"The dataset group '{job.DatasetGroup}' has no {job.DatasetType} dataset: create it, then drop the file again.", cancellationToken);
        }

        var schema = (await schemas.GetAsync(IResourceStore<Schema>.GlobalScope, dataset.Value.SchemaName, "schema", cancellationToken)).Value.Parse();
        var segment = job.Name;
        record.Phase($"reading imports/{job.DataLocation} into the {job.DatasetType} dataset of {job.DatasetGroup} ({job.ImportMode})");
        CsvImportResult result;
        string? contentSha256;
        {
            try
            {
                await using var file = await files.OpenReadAsync(job.DataLocation, job.BlobETag ?? request.ETag, cancellationToken);
                await using var input = new ContentHashStream(file);
                await using var output = await segments.OpenSegmentWriteAsync(job.DatasetGroup, job.DatasetType.Value, segment, cancellationToken);
                await using (var writer = await ParquetSegmentWriter.CreateAsync(schema, output, cancellationToken))
                {
                    result = await CsvDatasetReader.ReadAsync(input, schema, writer, new CsvImportOptions
                    {
                        FileName = job.DataLocation,
                        ColumnMapping = job.ColumnMapping ?? dataset.Value.ColumnMapping,
                        Progress = new InlineProgress(rows => record.Progress(j => j with { RowsRead = rows })),
                    }, cancellationToken);
                }

                contentSha256 = input.Sha256;
            }
            catch
            {
                await segments.DeleteSegmentAsync(job.DatasetGroup, job.DatasetType.Value, segment, CancellationToken.None);
                throw;
            }
        }

        string? report = null;
        if (result.Errors.Count > 0)
        {
            report = await files.WriteErrorReportAsync(job.Name, ErrorReport(result), cancellationToken);
        }

        if (!result.Succeeded || result.RowsImported == 0)
        {
            await segments.DeleteSegmentAsync(job.DatasetGroup, job.DatasetType.Value, segment, cancellationToken);
            var reason = result.FailureReason
                ?? $"No row of the file is valid ({result.RowsRejected} rejected); the dataset is unchanged. See the error report.";
            return await record.FailAsync(reason, cancellationToken, j => j with { RowsRead = result.RowsRead, RowsImported = 0, RowsRejected = result.RowsRejected, ErrorReportLocation = report });
        }

        var committed = new DatasetSegment(segment, result.RowsImported, job.Name, time.GetUtcNow(), ContentSha256: contentSha256);
        try
        {
            // The safeguards look at the manifest being replaced, inside the commit, so a concurrent commit cannot slip past them.
            await segments.CommitAsync(job.DatasetGroup, job.DatasetType.Value, manifest =>
            {
                ImportSafeguards.Screen(job, result, contentSha256, manifest, _options);
                return job.ImportMode == ImportMode.Full
                    ? manifest with { Segments = [.. manifest.Segments.Where(s => s.IsCompactedEvents), committed] } // FULL replaces imported data, not events
                    : manifest with { Segments = [.. manifest.Segments.Where(s => s.Name != committed.Name), committed] };
            }, cancellationToken);
        }
        catch (ImportDeclinedException declined)
        {
            await segments.DeleteSegmentAsync(job.DatasetGroup, job.DatasetType.Value, segment, cancellationToken);
            record.Phase(declined.Message);
            return declined.DuplicateOf is null
                ? await record.FailAsync(declined.Message, cancellationToken, j => declined.Annotate(j, result, report, contentSha256))
                : await record.CompleteAsync(j => declined.Annotate(j, result, report, contentSha256), cancellationToken);
        }

        record.Phase($"{result.RowsImported} rows imported, {result.RowsRejected} rejected");
        return await record.CompleteAsync(j => j with
        {
            RowsRead = result.RowsRead,
            RowsImported = result.RowsImported,
            RowsRejected = result.RowsRejected,
            ErrorReportLocation = report,
            ContentSha256 = contentSha256,
        }, cancellationToken);
    }

    private async Task<Stored<DatasetImportJob>> FindOrCreateDropJobAsync(ImportJobMessage request, CancellationToken cancellationToken)
    {
        var name = ImportPaths.DropJobName(request.Blob, request.ETag);
        var existing = await jobs.FindAsync(Scope, name, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var now = time.GetUtcNow();
        var target = ImportPaths.Parse(request.Blob, out var problem);
        string? failure = problem;
        if (target is not null)
        {
            var dataset = await datasets.FindAsync(target.DatasetGroup, Dataset.TypeKey(target.DatasetType), cancellationToken);
            failure = dataset is null
                ? $"The file '{request.Blob}' is for the {target.DatasetType} dataset of '{target.DatasetGroup}', which does not exist: create the dataset group and dataset, then drop the file again."
                : null;
        }

        var state = ResourceState.New(ResourceStatus.CreatePending, now);
        if (failure is not null)
        {
            state = state.MoveTo("dataset import job", name, ResourceStatus.CreateFailed, now, failure);
        }

        var job = new DatasetImportJob
        {
            Name = name,
            DatasetGroup = target?.DatasetGroup ?? string.Empty,
            DatasetType = target?.DatasetType,
            DataLocation = request.Blob,
            BlobETag = request.ETag,
            ImportMode = target?.Mode ?? ImportMode.Full,
            AllowShrink = target?.AllowShrink ?? false,
            MaxRejectedPercent = target?.MaxRejectedPercent,
            Source = "drop",
            State = state,
        };
        try
        {
            return await jobs.CreateAsync(Scope, name, job, cancellationToken);
        }
        catch (ResourceAlreadyExistsException)
        {
            return await jobs.GetAsync(Scope, name, "dataset import job", cancellationToken);
        }
    }

    internal static string ErrorReport(CsvImportResult result)
    {
        var csv = new StringBuilder("line,column,reason\n");
        foreach (var error in result.Errors)
        {
            csv.Append(error.Line.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Quote(error.Column ?? string.Empty)).Append(',')
                .Append(Quote(error.Reason)).Append('\n');
        }

        if (result.RowsRejected > result.Errors.Count)
        {
            csv.Append(",,").Append(Quote($"... and {result.RowsRejected - result.Errors.Count} more rejected rows")).Append('\n');
        }

        return csv.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Progress that runs its callback on the reporting thread (no synchronization context hop).</summary>
    private sealed class InlineProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
