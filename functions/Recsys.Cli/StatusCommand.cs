using System.Text.Json.Nodes;

namespace Recsys.Cli;

/// <summary>
/// <c>status [group]</c>: every dataset group (or one) with its datasets and their rows (from the import jobs), the
/// import jobs running or failed, the solutions' latest versions and the campaigns.
/// </summary>
internal static class StatusCommand
{
    public static async Task<int> RunAsync(RecsysClient client, string? group, CancellationToken cancellationToken)
    {
        var groups = group is null
            ? ((await client.GetAsync("api/manage/dataset-groups?maxResults=100", cancellationToken))["datasetGroups"] as JsonArray ?? []).OfType<JsonObject>().ToList()
            : [(JsonObject)(await client.GetAsync($"api/manage/dataset-groups/{Uri.EscapeDataString(group)}", cancellationToken))["datasetGroup"]!];
        if (groups.Count == 0)
        {
            Console.WriteLine("No dataset groups yet: `quickstart <interactions.csv>` creates one from your file.");
        }

        var jobs = ((await client.GetAsync("api/manage/dataset-import-jobs?maxResults=100", cancellationToken))["datasetImportJobs"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var campaigns = ((await client.GetAsync("api/manage/campaigns", cancellationToken))["campaigns"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var g in groups)
        {
            var arn = (string)g["datasetGroupArn"]!;
            Console.WriteLine($"{g["name"]}\t{g["status"]}");
            var datasets = (await client.GetAsync($"api/manage/datasets?datasetGroupArn={Uri.EscapeDataString(arn)}", cancellationToken))["datasets"] as JsonArray ?? [];
            foreach (var d in datasets.OfType<JsonObject>())
            {
                var datasetJobs = jobs.Where(j => (string?)j["datasetArn"] == (string?)d["datasetArn"]).OrderBy(j => (string?)j["creationDateTime"], StringComparer.Ordinal).ToList();
                Console.WriteLine($"  dataset {d["datasetType"]}\t{d["status"]}\t{Rows(datasetJobs):N0} rows");
                foreach (var job in datasetJobs.Where(j => (string?)j["status"] != "ACTIVE" || (long?)j["rowsRejected"] > 0))
                {
                    Console.WriteLine($"    import {job["jobName"]}\t{job["status"]}\t{job["rowsRead"]} read, {job["rowsRejected"]} rejected\t{job["failureReason"]}");
                }
            }

            var solutions = (await client.GetAsync($"api/manage/solutions?datasetGroupArn={Uri.EscapeDataString(arn)}", cancellationToken))["solutions"] as JsonArray ?? [];
            foreach (var s in solutions.OfType<JsonObject>())
            {
                var versions = ((await client.GetAsync($"api/manage/solution-versions?solutionArn={Uri.EscapeDataString((string)s["solutionArn"]!)}", cancellationToken))["solutionVersions"] as JsonArray ?? [])
                    .OfType<JsonObject>().OrderByDescending(v => (string?)v["creationDateTime"], StringComparer.Ordinal).ToList();
                var latest = versions.FirstOrDefault();
                Console.WriteLine($"  solution {s["name"]}\t{s["recipeArn"]}\t{versions.Count} version(s)"
                    + (latest is null ? string.Empty : $"; latest {latest["status"]} {latest["phase"]} {latest["percentComplete"]}%{(latest["failureReason"] is { } reason ? ": " + reason : string.Empty)}"));
                foreach (var c in campaigns.Where(c => ((string?)c["solutionVersionArn"])?.StartsWith((string)s["solutionArn"]! + "/", StringComparison.Ordinal) == true))
                {
                    Console.WriteLine($"    campaign {c["name"]}\t{c["status"]}\tserving {c["solutionVersionArn"]}");
                }
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>A dataset's rows as its imports left them: the last successful FULL import's rows plus later INCREMENTAL ones.</summary>
    private static long Rows(List<JsonObject> jobs)
    {
        long rows = 0;
        foreach (var job in jobs.Where(j => (string?)j["status"] == "ACTIVE"))
        {
            var imported = (long?)job["rowsImported"] ?? 0;
            rows = (string?)job["importMode"] == "INCREMENTAL" ? rows + imported : imported;
        }

        return rows;
    }
}
