using System.Diagnostics;
using System.Text.Json.Nodes;
using CsvHelper;
using Recsys.Data.Import;
using Recsys.Data.Records;
using Recsys.Data.Schemas;
using Recsys.Data.Segments;
using Recsys.Data.Synthetic;
using Recsys.Data.Training;

namespace Recsys.Benchmarks.Data;

/// <summary>
/// Generates an interactions CSV, then measures parse+validate with Sylvan.Data.Csv (the import path) and with
/// CsvHelper driving the same validator, the whole import into a Parquet segment on local disk, peak memory, and
/// loading the segment for training.
/// </summary>
internal static class ImportParseBenchmark
{
    public static async Task<JsonObject> RunAsync(long rows)
    {
        var directory = Path.Combine(Path.GetTempPath(), "recsys-import-parse-" + Guid.NewGuid().ToString("N"));
        try
        {
            var figures = new JsonObject { ["rows"] = rows };
            var watch = Stopwatch.StartNew();
            var data = await SyntheticDataGenerator.GenerateAsync(new SyntheticDataOptions { Interactions = rows, Seed = 1 }, directory);
            var csvBytes = new FileInfo(data.InteractionsCsv).Length;
            figures["generate"] = new JsonObject
            {
                ["seconds"] = Round(watch.Elapsed.TotalSeconds),
                ["rowsPerSecond"] = Math.Round(rows / watch.Elapsed.TotalSeconds),
                ["csvBytes"] = csvBytes,
                ["users"] = data.Users,
                ["items"] = data.Items,
            };
            Report("generate", figures["generate"]!);
            var schema = SyntheticDataGenerator.InteractionsSchema;

            // End to end first, so that the peak working set afterwards is the import's.
            var segmentPath = Path.Combine(directory, "interactions.parquet");
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            watch.Restart();
            CsvImportResult result;
            await using (var csv = OpenRead(data.InteractionsCsv))
            await using (var output = new FileStream(segmentPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            await using (var writer = await ParquetSegmentWriter.CreateAsync(schema, output))
            {
                result = await CsvDatasetReader.ReadAsync(csv, schema, writer);
                await writer.CompleteAsync();
            }

            var seconds = watch.Elapsed.TotalSeconds;
            Check(result, rows);
            figures["importToParquet"] = new JsonObject
            {
                ["seconds"] = Round(seconds),
                ["rowsPerSecond"] = Math.Round(rows / seconds),
                ["segmentBytes"] = new FileInfo(segmentPath).Length,
                ["allocatedBytes"] = GC.GetTotalAllocatedBytes(precise: true) - allocated,
                ["peakWorkingSetBytes"] = BenchmarkReport.PeakWorkingSetBytes(),
            };
            Report("importToParquet", figures["importToParquet"]!);

            figures["parseValidateSylvan"] = await MeasureAsync(rows, async () =>
            {
                await using var csv = OpenRead(data.InteractionsCsv);
                Check(await CsvDatasetReader.ReadAsync(csv, schema, new DiscardSink()), rows);
            });
            Report("parseValidateSylvan", figures["parseValidateSylvan"]!);

            figures["parseValidateCsvHelper"] = await MeasureAsync(rows, () =>
            {
                ParseWithCsvHelper(data.InteractionsCsv, schema, rows);
                return Task.CompletedTask;
            });
            Report("parseValidateCsvHelper", figures["parseValidateCsvHelper"]!);

            watch.Restart();
            var builder = new TrainingInteractionsBuilder();
            await using (var segment = File.OpenRead(segmentPath))
            {
                await builder.AddSegmentAsync(segment);
            }

            var interactions = builder.Build();
            figures["loadForTraining"] = new JsonObject
            {
                ["seconds"] = Round(watch.Elapsed.TotalSeconds),
                ["rowsPerSecond"] = Math.Round(interactions.Count / watch.Elapsed.TotalSeconds),
                ["users"] = interactions.Users.Count,
                ["items"] = interactions.Items.Count,
                ["peakWorkingSetBytes"] = BenchmarkReport.PeakWorkingSetBytes(),
            };
            Report("loadForTraining", figures["loadForTraining"]!);
            return figures;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<JsonObject> MeasureAsync(long rows, Func<Task> run)
    {
        GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await run();
        var seconds = watch.Elapsed.TotalSeconds;
        return new JsonObject
        {
            ["seconds"] = Round(seconds),
            ["rowsPerSecond"] = Math.Round(rows / seconds),
            ["allocatedBytes"] = GC.GetTotalAllocatedBytes(precise: true) - allocated,
        };
    }

    /// <summary>The same header mapping and row validation as the import, fed by CsvHelper's reader.</summary>
    private static void ParseWithCsvHelper(string path, DatasetSchema schema, long expectedRows)
    {
        using var stream = OpenRead(path);
        using var reader = CsvReader.Create(stream, new CsvReaderOptions { Separator = ',', HasHeader = true }, leaveOpen: true);
        reader.ReadHeader();
        var headers = reader.Headers.ToArray();
        if (!CsvHeaderMap.TryMap(headers, schema, new CsvImportOptions(), out var fields, out var failure))
        {
            throw new InvalidOperationException(failure);
        }

        var batch = new RecordBatch(schema, 1_000_000);
        var validator = new RowValidator(batch, fields);
        var chars = new char[1024];
        long imported = 0;
        while (reader.Read())
        {
            if (reader.FieldCount != headers.Length)
            {
                continue;
            }

            var ok = true;
            for (var column = 0; column < headers.Length && ok; column++)
            {
                var bytes = reader.GetSpan(column).Length;
                if (bytes > chars.Length)
                {
                    chars = new char[bytes];
                }

                var length = reader.GetChars(column, chars);
                ok = validator.Append(column, chars.AsSpan(0, length)) is null;
            }

            validator.EndRow(ok);
            if (ok)
            {
                imported++;
                if (batch.IsFull)
                {
                    batch.Clear();
                }
            }
        }

        if (imported != expectedRows)
        {
            throw new InvalidOperationException($"CsvHelper path imported {imported} rows, expected {expectedRows}.");
        }
    }

    private static FileStream OpenRead(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    private static void Check(CsvImportResult result, long rows)
    {
        if (!result.Succeeded || result.RowsImported != rows)
        {
            throw new InvalidOperationException($"Import failed: {result.FailureReason}; {result.RowsImported} of {rows} rows, first error {(result.Errors.Count > 0 ? result.Errors[0] : null)}.");
        }
    }

    private static double Round(double value) => Math.Round(value, 3);

    private static void Report(string phase, JsonNode figures) => Console.WriteLine($"{phase}: {figures.ToJsonString()}");

    private sealed class DiscardSink : IRecordBatchSink
    {
        public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
