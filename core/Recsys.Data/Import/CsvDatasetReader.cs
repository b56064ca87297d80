using System.Text;
using Recsys.Data.Records;
using Recsys.Data.Schemas;
using Sylvan.Data.Csv;

namespace Recsys.Data.Import;

/// <summary>
/// Reads a dataset CSV (RFC 4180, plain or gzip, UTF-8 with or without BOM, CRLF or LF) as a stream, validates every
/// row against the schema and hands the accepted rows to a sink in batches. Only one or two batches are in memory
/// at any time, however large the file.
/// </summary>
public static class CsvDatasetReader
{
    private const int MaxRecordChars = 1 << 22;

    /// <summary>
    /// Reads <paramref name="csv"/> to the end. Row problems reject the row and are reported; whole-file problems
    /// fail the import (see <see cref="CsvImportResult.FailureReason"/>), after which the sink's output must be discarded.
    /// </summary>
    /// <param name="csv">The file's bytes; read forward only, not disposed.</param>
    /// <param name="schema">The dataset's schema.</param>
    /// <param name="sink">Receives accepted rows, one full batch at a time; the next batch is parsed while the sink writes.</param>
    /// <param name="options">Column mapping, batch size, progress and error reporting options.</param>
    /// <param name="cancellationToken">Stops the import.</param>
    public static async Task<CsvImportResult> ReadAsync(
        Stream csv,
        DatasetSchema schema,
        IRecordBatchSink sink,
        CsvImportOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(sink);
        options ??= new CsvImportOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ProgressInterval);

        var state = new ImportState(options);
        using var text = await CsvInput.OpenAsync(csv, options.FileName, cancellationToken);
        try
        {
            await ReadRowsAsync(text, schema, sink, options, state, cancellationToken);
        }
        catch (DecoderFallbackException ex)
        {
            var bytes = ex.BytesUnknown is { Length: > 0 } b ? $" (bytes {Convert.ToHexString(b)})" : string.Empty;
            state.Fail($"The file is not valid UTF-8: an invalid byte sequence{bytes} follows line {Math.Max(1, state.Line - 1)}. Save the file as UTF-8.");
        }
        catch (CsvRecordTooLargeException)
        {
            state.Fail($"The record starting at line {state.Line} is longer than {MaxRecordChars:N0} characters; this usually means a double quote that is never closed.");
        }
        catch (CsvFormatException ex)
        {
            state.Fail($"Malformed CSV in the record starting at line {state.Line}: {ex.Message} Check for an unterminated or stray double quote.");
        }
        catch (InvalidDataException ex)
        {
            state.Fail($"The file looks like gzip but cannot be decompressed: {ex.Message}");
        }

        options.Progress?.Report(state.RowsRead);
        return state.ToResult();
    }

    private static async Task ReadRowsAsync(
        TextReader text,
        DatasetSchema schema,
        IRecordBatchSink sink,
        CsvImportOptions options,
        ImportState state,
        CancellationToken cancellationToken)
    {
        var csvOptions = new CsvDataReaderOptions
        {
            HasHeaders = true,
            Delimiter = ',',
            Quote = '"',
            Escape = '"',
            Comment = '\0',
            CsvStyle = CsvStyle.Standard,
            ResultSetMode = ResultSetMode.SingleResult,
            BufferSize = 1 << 16,
            MaxBufferSize = MaxRecordChars,
            OwnsReader = false,
        };

        CsvDataReader reader;
        try
        {
            reader = await CsvDataReader.CreateAsync(text, csvOptions, cancellationToken);
        }
        catch (CsvMissingHeadersException)
        {
            state.Fail("The file is empty.");
            return;
        }

        await using (reader)
        {
            var headers = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetName(i).Trim()).ToArray();
            if (headers.Length == 0 || (headers.Length == 1 && headers[0].Length == 0))
            {
                state.Fail("The file is empty.");
                return;
            }

            if (!CsvHeaderMap.TryMap(headers, schema, options, out var fields, out var failure))
            {
                state.Fail(failure);
                return;
            }

            state.ColumnMap = headers.Select((h, i) => (h, f: fields[i])).Where(x => x.f is not null).ToDictionary(x => x.h, x => x.f!.Name);
            state.Line = 2;
            var batch = new RecordBatch(schema, options.BatchSize);
            RecordBatch? spare = null;
            var validator = new RowValidator(batch, fields);
            var columnCount = headers.Length;
            Task pendingWrite = Task.CompletedTask;

            while (await reader.ReadAsync(cancellationToken))
            {
                var line = state.Line;
                state.Line += reader.GetRawRecordSpan().Count('\n');
                var cells = reader.RowFieldCount;
                if (cells == 1 && reader.GetFieldSpan(0).IsEmpty)
                {
                    continue; // blank line
                }

                state.RowsRead++;
                if (cells != columnCount)
                {
                    state.Reject(line, null, $"Expected {columnCount} columns, as in the header, but found {cells}.");
                }
                else
                {
                    string? error = null;
                    var column = 0;
                    for (; column < columnCount; column++)
                    {
                        error = validator.Append(column, reader.GetFieldSpan(column));
                        if (error is not null)
                        {
                            break;
                        }
                    }

                    validator.EndRow(error is null);
                    if (error is not null)
                    {
                        state.Reject(line, headers[column], error);
                    }
                    else
                    {
                        state.RowsImported++;
                        if (batch.IsFull)
                        {
                            // Write this batch in the background while the next one is parsed.
                            await pendingWrite;
                            var full = batch;
                            pendingWrite = Task.Run(async () => await sink.WriteAsync(full, cancellationToken), cancellationToken);
                            batch = spare ?? new RecordBatch(schema, options.BatchSize);
                            batch.Clear();
                            spare = full;
                            validator.Batch = batch;
                        }
                    }
                }

                if (state.RowsRead % options.ProgressInterval == 0)
                {
                    options.Progress?.Report(state.RowsRead);
                }
            }

            await pendingWrite;
            if (batch.Count > 0)
            {
                await sink.WriteAsync(batch, cancellationToken);
            }

            state.ValuesTruncated = validator.ValuesTruncated;
            if (state.RowsRead == 0)
            {
                state.Fail("The file has a header but no data rows.");
            }
        }
    }

    private sealed class ImportState(CsvImportOptions options)
    {
        private readonly List<CsvRowError> _errors = [];

        public long Line { get; set; } = 1;

        public long RowsRead { get; set; }

        public long RowsImported { get; set; }

        public long RowsRejected { get; private set; }

        public long ValuesTruncated { get; set; }

        public string? FailureReason { get; private set; }

        public IReadOnlyDictionary<string, string> ColumnMap { get; set; } = new Dictionary<string, string>();

        public void Fail(string reason) => FailureReason ??= reason;

        public void Reject(long line, string? column, string reason)
        {
            RowsRejected++;
            if (_errors.Count < options.MaxReportedErrors)
            {
                _errors.Add(new CsvRowError(line, column, reason));
            }
        }

        public CsvImportResult ToResult() => new(FailureReason, RowsRead, RowsImported, RowsRejected, _errors, ColumnMap, ValuesTruncated);
    }
}
