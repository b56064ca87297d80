using System.Diagnostics;
using System.Text;
using Recsys.Core.BatchJobs;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Errors;
using Recsys.Core.Events;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;
using Recsys.Core.Schemas;
using Recsys.Data.Export;
using Recsys.Data.Import;
using Recsys.Data.Records;
using Recsys.Data.Schemas;
using Recsys.Data.Segments;

namespace Recsys.Core.DataLifecycle;

/// <summary>
/// Runs dataset export jobs and data deletion jobs. Both stream: an export writes CSV to its blob as it reads segments,
/// records and events; a deletion holds only the set of user ids. A job ends ACTIVE (shown COMPLETED for deletions) or
/// CREATE FAILED with the reason; a repeated message for a finished job does nothing, one for an interrupted job runs
/// it again (both jobs are idempotent).
/// </summary>
/// <param name="exports">Export job records.</param>
/// <param name="deletions">Deletion job records.</param>
/// <param name="datasets">Datasets.</param>
/// <param name="schemas">Schemas.</param>
/// <param name="segments">Segment store.</param>
/// <param name="records">PutItems / PutUsers records.</param>
/// <param name="events">Event store.</param>
/// <param name="deletedUsers">The registry of deleted users.</param>
/// <param name="files">Blob access.</param>
/// <param name="time">Clock.</param>
/// <param name="jobs">The job lifecycle.</param>
public sealed class DataJobRunner(
    IResourceStore<DatasetExportJob> exports,
    IResourceStore<DataDeletionJob> deletions,
    DatasetService datasets,
    SchemaService schemas,
    IDatasetSegmentStore segments,
    IDatasetRecordStore records,
    IEventStore events,
    IDeletedUsers deletedUsers,
    IBatchJobFiles files,
    TimeProvider time,
    JobRunner jobs)
{
    private const int DeletionParallelism = 16;
    private const int RewriteBatchRows = 8192;
    private static readonly TimeSpan s_progressInterval = TimeSpan.FromSeconds(2);
    // A deletion file's schema: USER_ID (the optional second field only satisfies the Users schema rule; other columns are ignored).
    private static readonly DatasetSchema s_userList = DatasetSchema.Create(
        DatasetType.Users, new FieldDefinition(ReservedFields.UserId, FieldType.String), new FieldDefinition("DELETION_NOTE", FieldType.String, IsNullable: true, IsCategorical: true));

    private readonly JobKind<DatasetExportJob> _exportKind = new(DatasetExportJob.DisplayName, exports, (j, s) => j with { State = s });
    private readonly JobKind<DataDeletionJob> _deletionKind = new(DataDeletionJob.DisplayName, deletions, (j, s) => j with { State = s });

    /// <summary>Export jobs as the job seam sees them (scope <see cref="DataJobService.ExportKind"/>).</summary>
    public JobKind<DatasetExportJob> ExportKind => _exportKind;

    /// <summary>Deletion jobs as the job seam sees them (scope <see cref="DataJobService.DeletionKind"/>).</summary>
    public JobKind<DataDeletionJob> DeletionKind => _deletionKind;

    /// <summary>Runs one delivery of an export job (see <see cref="JobRunner"/>).</summary>
    public Task<JobOutcome<DatasetExportJob>> RunExportAsync(string jobName, JobDelivery delivery, CancellationToken cancellationToken = default)
        => jobs.RunAsync(_exportKind, DataJobService.ExportKind, jobName, delivery, ExportAsync, cancellationToken: cancellationToken);

    /// <summary>Runs one delivery of a deletion job (see <see cref="JobRunner"/>).</summary>
    public Task<JobOutcome<DataDeletionJob>> RunDeletionAsync(string jobName, JobDelivery delivery, CancellationToken cancellationToken = default)
        => jobs.RunAsync(_deletionKind, DataJobService.DeletionKind, jobName, delivery, DeleteAsync, cancellationToken: cancellationToken);

    /// <summary>Marks a job failed with <paramref name="reason"/> unless it has ended (a poisoned message, an abandoned job).</summary>
    public Task<bool> GiveUpAsync(string kind, string jobName, string reason, CancellationToken cancellationToken = default)
        => kind == DataJobService.ExportKind
            ? jobs.GiveUpAsync(_exportKind, kind, jobName, reason, cancellationToken)
            : jobs.GiveUpAsync(_deletionKind, kind, jobName, reason, cancellationToken);

    private async Task<DatasetExportJob> ExportAsync(JobContext<DatasetExportJob> record, CancellationToken cancellationToken)
    {
        var job = record.Current;
        var dataset = await datasets.FindAsync(job.DatasetGroup, job.DatasetType, cancellationToken)
            ?? throw new ResourceNotFoundException("dataset", job.DatasetGroup + "/" + Dataset.TypeKey(job.DatasetType));
        var schema = (await schemas.DescribeAsync(dataset.SchemaArn, cancellationToken)).Value.Parse();
        var manifest = await segments.ReadManifestAsync(job.DatasetGroup, job.DatasetType, cancellationToken);
        var deleted = await deletedUsers.ReadAllAsync(job.DatasetGroup, cancellationToken);
        var bulk = job.IngestionMode != IngestionMode.Put;
        var put = job.IngestionMode != IngestionMode.Bulk;
        var lastProgress = Stopwatch.GetTimestamp();
        long rows;
        await using (var output = await files.OpenWriteAsync(job.OutputFile, cancellationToken))
        await using (var text = new StreamWriter(output, new UTF8Encoding(false), 1 << 16))
        {
            var csv = new CsvRecordWriter(text, schema);
            Task ProgressAsync()
            {
                if (Stopwatch.GetElapsedTime(lastProgress) >= s_progressInterval)
                {
                    lastProgress = Stopwatch.GetTimestamp();
                    var written = csv.Rows;
                    record.Progress(j => j with { RowsExported = written });
                }

                return Task.CompletedTask;
            }

            if (job.DatasetType == DatasetType.Interactions)
            {
                foreach (var segment in manifest.Segments.Where(s => s.IsCompactedEvents ? put : bulk))
                {
                    await ForEachRowAsync(job.DatasetGroup, job.DatasetType, segment, null, (batch, row) =>
                    {
                        if (!deleted.Removes(segment, batch.GetStringColumn(ReservedFields.UserId)[row], batch.GetColumn<long>(ReservedFields.Timestamp)[row] ?? 0))
                        {
                            csv.WriteRow(batch, row);
                        }
                    }, ProgressAsync, cancellationToken);
                }

                if (put)
                {
                    var compacted = manifest.EventsCompactedThrough;
                    await foreach (var e in events.ReadAllAsync(job.DatasetGroup, compacted == DateTimeOffset.MinValue ? null : compacted, null, cancellationToken))
                    {
                        if (!deleted.Removes(e.HistoryKey, e.SentAt))
                        {
                            csv.WriteRow(EventRecords.Values(e));
                            await ProgressAsync();
                        }
                    }
                }
            }
            else
            {
                await ExportRecordsAsync(job, schema, manifest, deleted, csv, bulk, put, ProgressAsync, cancellationToken);
            }

            rows = csv.Rows;
        }

        record.Phase($"{rows} rows written to {job.OutputFile}");
        return await record.CompleteAsync(j => j with { RowsExported = rows }, cancellationToken);
    }

    /// <summary>
    /// Items or Users: imported rows (BULK), PutItems/PutUsers records (PUT), or (ALL) only the newest of each id —
    /// a record put after a segment was committed wins over it, a later segment over an earlier one.
    /// </summary>
    private async Task ExportRecordsAsync(
        DatasetExportJob job, DatasetSchema schema, DatasetManifest manifest, UserDeletions deleted, CsvRecordWriter csv, bool bulk, bool put,
        Func<Task> progress, CancellationToken cancellationToken)
    {
        var idField = job.DatasetType == DatasetType.Items ? ReservedFields.ItemId : ReservedFields.UserId;
        var users = job.DatasetType == DatasetType.Users;
        Dictionary<string, (int Source, DateTimeOffset At)>? newest = null;
        const int RecordSource = -1;
        if (bulk && put)
        {
            newest = new Dictionary<string, (int, DateTimeOffset)>(StringComparer.Ordinal);
            for (var i = 0; i < manifest.Segments.Count; i++)
            {
                var (index, segment) = (i, manifest.Segments[i]);
                await ForEachRowAsync(job.DatasetGroup, job.DatasetType, segment, [idField], (batch, row) =>
                    newest[batch.GetStringColumn(idField).GetString(row)!] = (index, segment.CreatedAt), () => Task.CompletedTask, cancellationToken);
            }

            await foreach (var r in records.ReadAllAsync(job.DatasetGroup, job.DatasetType, cancellationToken))
            {
                if (!newest.TryGetValue(r.Id, out var current) || r.UpdatedAt >= current.At)
                {
                    newest[r.Id] = (RecordSource, r.UpdatedAt);
                }
            }
        }

        if (bulk)
        {
            var newestById = newest?.GetAlternateLookup<ReadOnlySpan<char>>();
            for (var i = 0; i < manifest.Segments.Count; i++)
            {
                var (index, segment) = (i, manifest.Segments[i]);
                await ForEachRowAsync(job.DatasetGroup, job.DatasetType, segment, null, (batch, row) =>
                {
                    var id = batch.GetStringColumn(idField)[row];
                    if ((newestById is not { } lookup || lookup[id].Source == index) && !(users && deleted.Removes(segment, id, 0)))
                    {
                        csv.WriteRow(batch, row);
                    }
                }, progress, cancellationToken);
            }
        }

        if (put)
        {
            await foreach (var r in records.ReadAllAsync(job.DatasetGroup, job.DatasetType, cancellationToken))
            {
                if ((newest is null || newest[r.Id].Source == RecordSource) && !(users && deleted.Removes(r.Id, r.UpdatedAt)))
                {
                    csv.WriteRow(field => field.Name == idField ? r.Id : r.Fields.GetValueOrDefault(field.Name));
                    await progress();
                }
            }
        }
    }

    private async Task ForEachRowAsync(
        string datasetGroup, DatasetType type, DatasetSegment segment, IReadOnlyCollection<string>? fields, Action<RecordBatch, int> onRow, Func<Task> afterBatch,
        CancellationToken cancellationToken)
    {
        await using var stream = await segments.OpenSegmentReadAsync(datasetGroup, type, segment.Name, cancellationToken);
        await using var reader = await ParquetSegmentReader.OpenAsync(stream, cancellationToken);
        await foreach (var batch in reader.ReadBatchesAsync(fields, cancellationToken))
        {
            for (var row = 0; row < batch.Count; row++)
            {
                onRow(batch, row);
            }

            await afterBatch();
        }
    }

    private async Task<DataDeletionJob> DeleteAsync(JobContext<DataDeletionJob> record, CancellationToken cancellationToken)
    {
        var job = record.Current;
        if (!await files.ExistsAsync(job.DataLocation, cancellationToken))
        {
            throw new InvalidInputException("dataSource.dataLocation", $"There is no file '{job.DataLocation}'.");
        }

        // 1. The user ids (validated like an import: a USER_ID column, no empty ids).
        var users = new UserIdSink();
        CsvImportResult read;
        await using (var input = await files.OpenReadAsync(job.DataLocation, cancellationToken))
        {
            read = await CsvDatasetReader.ReadAsync(input, s_userList, users, new CsvImportOptions { FileName = job.DataLocation, IgnoreUnknownColumns = true, BatchSize = 50_000 }, cancellationToken);
        }

        string? report = null;
        if (read.Errors.Count > 0)
        {
            report = job.DataLocation + ".errors.csv";
            await using var output = await files.OpenWriteAsync(report, cancellationToken);
            await output.WriteAsync(Encoding.UTF8.GetBytes(DatasetImportRunner.ErrorReport(read)), cancellationToken);
        }

        if (!read.Succeeded || users.Ids.Count == 0)
        {
            var reason = read.FailureReason ?? $"The file has no valid USER_ID ({read.RowsRejected} rows rejected); nothing was deleted.";
            return await record.FailAsync(reason, cancellationToken, j => j with { RowsRejected = read.RowsRejected, ErrorReportLocation = report });
        }

        // 2. The registry, then each user's history tombstone: serving treats them as new users from here on, and
        //    training and exports leave out their older rows even before the data below is gone.
        var deletedAt = job.DeletedAt ?? time.GetUtcNow();
        await deletedUsers.AddAsync(job.DatasetGroup, users.Ids, deletedAt, cancellationToken);
        job = await record.UpdateAsync(j => j with { DeletedAt = deletedAt, NumDeleted = users.Ids.Count, RowsRejected = read.RowsRejected, ErrorReportLocation = report }, cancellationToken);
        record.Phase($"{users.Ids.Count} users recorded as deleted; removing their events, records and segment rows");

        long eventsDeleted = 0;
        await Parallel.ForEachAsync(users.Ids, new ParallelOptions { MaxDegreeOfParallelism = DeletionParallelism, CancellationToken = cancellationToken }, async (user, ct) =>
            Interlocked.Add(ref eventsDeleted, await events.DeleteUserAsync(job.DatasetGroup, user, deletedAt, ct)));

        // 3. Their PutUsers records, then their rows in the stored segments.
        var recordsDeleted = await records.DeleteAsync(job.DatasetGroup, DatasetType.Users, users.Ids, cancellationToken);
        var these = new UserDeletions(users.Ids.ToDictionary(u => u, _ => deletedAt, StringComparer.Ordinal));
        var removed = await RemoveRowsAsync(job.DatasetGroup, DatasetType.Interactions, these, cancellationToken)
            + await RemoveRowsAsync(job.DatasetGroup, DatasetType.Users, these, cancellationToken);

        return await record.CompleteAsync(j => j with { EventsDeleted = eventsDeleted, RecordsDeleted = recordsDeleted, SegmentRowsRemoved = removed }, cancellationToken);
    }

    /// <summary>
    /// Rewrites each segment that holds rows of the deleted users without them and swaps it in the manifest (keeping
    /// its commit time, so the rules that depend on it do not change). A segment replaced meanwhile (a FULL import, a
    /// concurrent deletion) is looked at again in the next pass.
    /// </summary>
    private async Task<long> RemoveRowsAsync(string datasetGroup, DatasetType type, UserDeletions these, CancellationToken cancellationToken)
    {
        long removed = 0;
        for (var pass = 0; pass < 5; pass++)
        {
            var manifest = await segments.ReadManifestAsync(datasetGroup, type, cancellationToken);
            var raced = false;
            foreach (var segment in manifest.Segments.Where(these.MayRemoveFrom))
            {
                var timestamps = type == DatasetType.Interactions;
                bool Removes(RecordBatch batch, int row)
                    => these.Removes(segment, batch.GetStringColumn(ReservedFields.UserId)[row], timestamps ? batch.GetColumn<long>(ReservedFields.Timestamp)[row] ?? 0 : 0);

                long hits = 0;
                await ForEachRowAsync(datasetGroup, type, segment, timestamps ? [ReservedFields.UserId, ReservedFields.Timestamp] : [ReservedFields.UserId],
                    (batch, row) => hits += Removes(batch, row) ? 1 : 0, () => Task.CompletedTask, cancellationToken);
                if (hits == 0)
                {
                    continue;
                }

                var name = segment.Name + "-d" + time.GetUtcNow().UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
                long kept = 0;
                await using (var output = await segments.OpenSegmentWriteAsync(datasetGroup, type, name, cancellationToken))
                await using (var stream = await segments.OpenSegmentReadAsync(datasetGroup, type, segment.Name, cancellationToken))
                await using (var reader = await ParquetSegmentReader.OpenAsync(stream, cancellationToken))
                await using (var writer = await ParquetSegmentWriter.CreateAsync(reader.Schema, output, cancellationToken))
                {
                    var keptRows = new RecordBatch(reader.Schema, RewriteBatchRows);
                    await foreach (var batch in reader.ReadBatchesAsync(null, cancellationToken))
                    {
                        for (var row = 0; row < batch.Count; row++)
                        {
                            if (Removes(batch, row))
                            {
                                continue;
                            }

                            if (keptRows.IsFull)
                            {
                                await writer.WriteAsync(keptRows, cancellationToken);
                                keptRows.Clear();
                            }

                            keptRows.AppendRow(batch, row);
                            kept++;
                        }
                    }

                    if (keptRows.Count > 0)
                    {
                        await writer.WriteAsync(keptRows, cancellationToken);
                    }
                }

                var replaced = false;
                await segments.CommitAsync(datasetGroup, type, current =>
                {
                    replaced = current.Segments.Any(s => s.Name == segment.Name);
                    return !replaced ? current : current with
                    {
                        Segments = kept == 0
                            ? [.. current.Segments.Where(s => s.Name != segment.Name)]
                            : [.. current.Segments.Select(s => s.Name == segment.Name ? s with { Name = name, Rows = kept } : s)],
                    };
                }, cancellationToken);
                if (!replaced || kept == 0)
                {
                    await segments.DeleteSegmentAsync(datasetGroup, type, name, cancellationToken);
                }

                raced |= !replaced;
                removed += replaced ? hits : 0;
            }

            if (!raced)
            {
                break;
            }
        }

        return removed;
    }

    /// <summary>Collects the distinct user ids of a deletion file.</summary>
    private sealed class UserIdSink : IRecordBatchSink
    {
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
        {
            var ids = batch.GetStringColumn(ReservedFields.UserId);
            for (var row = 0; row < batch.Count; row++)
            {
                Ids.Add(ids.GetString(row)!);
            }

            return ValueTask.CompletedTask;
        }
    }
}
