using System.IO.Compression;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

namespace Recsys.Cli;

/// <summary>How an import ended.</summary>
internal sealed record ImportOutcome(string JobName, string Status, long RowsImported, long RowsRejected, string? FailureReason)
{
    public bool Succeeded => Status == "ACTIVE";
}

/// <summary>
/// One import as a data engineer does it: the file goes to <c>imports/{group}/{Type}/[incremental/]{file}</c>, the
/// app's blob trigger starts the job, and the job is followed through the manage API to its end, with a progress bar
/// (rows read of the file's rows) and, on rejects or failure, the error report's first lines on stderr.
/// </summary>
internal static class ImportRun
{
    public const int ReportLines = 10;
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The dataset type as the imports folder spells it (Interactions, Items, Users), from any casing.</summary>
    public static string DatasetType(string type) => type.ToUpperInvariant() switch
    {
        "INTERACTIONS" => "Interactions",
        "ITEMS" => "Items",
        "USERS" => "Users",
        _ => throw new CliException(ExitCodes.Usage, $"'{type}' is not a dataset type: Interactions, Items or Users."),
    };

    public static async Task<ImportOutcome> RunAsync(
        RecsysClient client, BlobContainerClient container, string group, string type, string file, bool incremental, CancellationToken cancellationToken)
    {
        type = DatasetType(type);
        if (!File.Exists(file))
        {
            throw new CliException(ExitCodes.Usage, $"No file at {file}.");
        }

        var dataset = await client.FindAsync($"api/manage/datasets/{Uri.EscapeDataString(group)}/{type.ToUpperInvariant()}", cancellationToken)
            ?? throw new CliException(ExitCodes.Refused, $"Dataset group '{group}' has no {type} dataset: create it first (the quickstart command does), or check the group's name with `status`.");
        var datasetArn = (string)dataset["dataset"]!["datasetArn"]!;

        var blobName = $"{group}/{type}/{(incremental ? "incremental/" : string.Empty)}{Path.GetFileName(file)}";
        var location = $"{ImportsContainer.Name}/{blobName}";
        var before = (await ListJobsAsync(client, datasetArn, cancellationToken)).Select(j => (string?)j["jobName"]).ToHashSet(StringComparer.Ordinal);
        var expectedRows = CountRows(file);
        Console.Error.WriteLine($"Uploading {file} ({expectedRows:N0} rows) to {location}");
        await ImportsContainer.UploadAsync(container, file, blobName, cancellationToken);

        var progress = new ProgressLine($"import {type}");
        var jobName = await WaitForJobAsync(client, datasetArn, location, before, progress, cancellationToken);
        JsonNode job;
        while (true)
        {
            job = (await client.GetAsync($"api/manage/dataset-import-jobs/{jobName}", cancellationToken))["datasetImportJob"]!;
            var status = (string?)job["status"] ?? string.Empty;
            var read = (long?)job["rowsRead"] ?? 0;
            progress.Report(status == "ACTIVE" ? 1 : expectedRows == 0 ? null : Math.Min(0.99, (double)read / expectedRows), $"{status}, {read:N0} rows read");
            if (status is "ACTIVE" or "CREATE FAILED" or "CREATE STOPPED")
            {
                break;
            }

            await Task.Delay(s_poll, cancellationToken);
        }

        progress.Done();
        var outcome = new ImportOutcome(jobName, (string)job["status"]!, (long?)job["rowsImported"] ?? 0, (long?)job["rowsRejected"] ?? 0, (string?)job["failureReason"]);
        if (!outcome.Succeeded)
        {
            Console.Error.WriteLine($"Import {jobName} of {location} ended {outcome.Status}: {outcome.FailureReason}");
        }

        if (outcome.RowsRejected > 0 || !outcome.Succeeded)
        {
            await PrintReportAsync(client, jobName, outcome.RowsRejected, cancellationToken);
        }

        return outcome;
    }

    private static async Task<string> WaitForJobAsync(
        RecsysClient client, string datasetArn, string location, HashSet<string?> before, ProgressLine progress, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        while (waited < s_startTimeout)
        {
            foreach (var job in await ListJobsAsync(client, datasetArn, cancellationToken))
            {
                if ((string?)job["dataSource"]?["dataLocation"] == location && (string?)job["jobName"] is { } name && !before.Contains(name))
                {
                    return name;
                }
            }

            progress.Report(0, "waiting for the import job to start");
            await Task.Delay(s_poll, cancellationToken);
            waited += s_poll;
        }

        progress.Done();
        throw new CliException(ExitCodes.Unreachable, $"No import job started for {location} within {s_startTimeout.TotalSeconds:0} s: "
            + "is the app watching this storage account (--storage / RECSYS_STORAGE must be the account the app uses)?");
    }

    private static async Task<List<JsonObject>> ListJobsAsync(RecsysClient client, string datasetArn, CancellationToken cancellationToken)
    {
        var jobs = new List<JsonObject>();
        string? next = null;
        do
        {
            var page = await client.GetAsync(
                $"api/manage/dataset-import-jobs?datasetArn={Uri.EscapeDataString(datasetArn)}&maxResults=100{(next is null ? string.Empty : "&nextToken=" + Uri.EscapeDataString(next))}",
                cancellationToken);
            jobs.AddRange((page["datasetImportJobs"] as JsonArray ?? []).OfType<JsonObject>());
            next = (string?)page["nextToken"];
        }
        while (next is not null);
        return jobs;
    }

    /// <summary>Prints the first lines of the job's error report (the rejected rows: line, column, reason) to stderr.</summary>
    private static async Task PrintReportAsync(RecsysClient client, string jobName, long rejected, CancellationToken cancellationToken)
    {
        var report = await client.GetTextAsync($"api/manage/dataset-import-jobs/{jobName}/errors", cancellationToken);
        if (report is null)
        {
            return;
        }

        var lines = report.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Console.Error.WriteLine($"{rejected:N0} rows rejected; the error report's first lines:");
        foreach (var line in lines.Take(ReportLines + 1))
        {
            Console.Error.WriteLine("  " + line);
        }

        if (lines.Length > ReportLines + 1)
        {
            Console.Error.WriteLine($"  … the whole report: GET /api/manage/dataset-import-jobs/{jobName}/errors");
        }
    }

    /// <summary>Data rows of a CSV (or .csv.gz) file, for the progress bar: lines less the header.</summary>
    private static long CountRows(string file)
    {
        using var stream = File.OpenRead(file);
        using var input = file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(stream, CompressionMode.Decompress) : (Stream)stream;
        var buffer = new byte[1 << 16];
        long lines = 0;
        var last = (byte)'\n';
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
        }

        if (last != '\n')
        {
            lines++;
        }

        return Math.Max(0, lines - 1);
    }
}
