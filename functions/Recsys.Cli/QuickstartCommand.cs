using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;

namespace Recsys.Cli;

/// <summary>
/// From one interactions CSV (and optionally items and users CSVs) to a deployed campaign: infers each schema, creates
/// the dataset group, schemas and datasets, imports the files as a blob drop, trains the recipe, deploys a campaign,
/// and prints recommendations for a real user of the file with the curl call that gets them.
/// </summary>
internal static class QuickstartCommand
{
    public const string DefaultRecipe = "user-personalization";
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(
        RecsysClient client, BlobContainerClient container, string interactions, string? items, string? users, string? name, string recipe,
        bool sampleKey, CancellationToken cancellationToken)
    {
        var files = new List<(string Type, string File)> { ("Interactions", interactions) };
        if (items is not null)
        {
            files.Add(("Items", items));
        }

        if (users is not null)
        {
            files.Add(("Users", users));
        }

        var group = name ?? GroupName(interactions);
        var inferred = new Dictionary<string, InferredSchema>(StringComparer.Ordinal);
        foreach (var (type, file) in files)
        {
            var schema = SchemaInference.FromFile(file, type);
            inferred[type] = schema;
            Console.Error.WriteLine($"{type} schema inferred from {Path.GetFileName(file)}: {string.Join(", ", schema.Decisions)}");
        }

        Console.Error.WriteLine($"Creating dataset group '{group}' at {client.Endpoint}");
        var (status, _) = await client.SendRawAsync(HttpMethod.Get, $"api/manage/dataset-groups/{Uri.EscapeDataString(group)}", null, cancellationToken);
        if (status != System.Net.HttpStatusCode.NotFound)
        {
            await client.GetAsync($"api/manage/dataset-groups/{Uri.EscapeDataString(group)}", cancellationToken); // a wrong key or an outage says so here
            throw new CliException(ExitCodes.Refused, $"Dataset group '{group}' exists already: give the quickstart another name with --name.");
        }

        var groupArn = (string)(await client.PostAsync("api/manage/dataset-groups", new JsonObject { ["name"] = group }, cancellationToken))["datasetGroupArn"]!;
        foreach (var (type, schema) in inferred)
        {
            var schemaName = $"{group}-{type.ToLowerInvariant()}";
            var schemaArn = (string)(await client.PostAsync("api/manage/schemas", new JsonObject { ["name"] = schemaName, ["schema"] = schema.Schema.ToJsonString() }, cancellationToken))["schemaArn"]!;
            var dataset = new JsonObject { ["name"] = schemaName, ["datasetGroupArn"] = groupArn, ["datasetType"] = type, ["schemaArn"] = schemaArn };
            if (schema.ColumnMapping.Count > 0)
            {
                dataset["columnMapping"] = new JsonObject(schema.ColumnMapping.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
            }

            await client.PostAsync("api/manage/datasets", dataset, cancellationToken);
        }

        // Items and users first, as Personalize advises: training then sees the metadata with the interactions.
        foreach (var (type, file) in files.OrderBy(f => f.Type == "Interactions"))
        {
            var outcome = await ImportRun.RunAsync(client, container, group, type, file, incremental: false, cancellationToken);
            if (!outcome.Succeeded)
            {
                throw new CliException(ExitCodes.JobFailed, $"The {type} import failed: {outcome.FailureReason}");
            }

            Console.Error.WriteLine($"{type}: {outcome.RowsImported:N0} rows imported{(outcome.RowsRejected > 0 ? $", {outcome.RowsRejected:N0} rejected (see above)" : string.Empty)}");
        }

        var solutionName = $"{group}-{recipe}";
        var solutionArn = (string)(await client.PostAsync("api/manage/solutions",
            new JsonObject { ["name"] = solutionName, ["datasetGroupArn"] = groupArn, ["recipeArn"] = recipe }, cancellationToken))["solutionArn"]!;
        var versionArn = (string)(await client.PostAsync("api/manage/solution-versions",
            new JsonObject { ["solutionArn"] = solutionArn, ["trainingMode"] = "FULL" }, cancellationToken))["solutionVersionArn"]!;
        var version = await FollowTrainingAsync(client, versionArn, recipe, cancellationToken);
        Console.Error.WriteLine($"Trained {versionArn}: {Metric(version, "normalized_discounted_cumulative_gain_at_10", "nDCG@10")}");

        var campaignName = $"{group}-campaign";
        var campaignArn = (string)(await client.PostAsync("api/manage/campaigns", new JsonObject
        {
            ["name"] = campaignName,
            ["solutionVersionArn"] = versionArn,
            ["campaignConfig"] = new JsonObject { ["enableMetadataWithRecommendations"] = items is not null },
        }, cancellationToken))["campaignArn"]!;
        await WaitActiveAsync(client, $"api/manage/campaigns/{Uri.EscapeDataString(campaignName)}", "campaign", cancellationToken);

        var user = FirstUser(interactions, inferred["Interactions"]);
        var request = new JsonObject { ["campaignArn"] = campaignArn, ["userId"] = user, ["numResults"] = 10 };
        if (items is not null)
        {
            var metadata = ((JsonArray)inferred["Items"].Schema["fields"]!).Select(f => (string)f!["name"]!).Where(n => n != "ITEM_ID").Take(3).ToArray();
            if (metadata.Length > 0)
            {
                request["metadataColumns"] = new JsonObject { ["ITEMS"] = new JsonArray([.. metadata.Select(m => (JsonNode)m)]) };
            }
        }

        var answer = await client.PostAsync("api/recommendations", request, cancellationToken);
        Console.WriteLine($"Campaign {campaignName} is deployed ({campaignArn}). Recommendations for user {user}, the file's first:");
        RecommendCommand.Print(answer);
        var key = sampleKey ? CliSettings.SampleMasterKey : "<a function key, the host key or the master key>";
        Console.WriteLine();
        Console.WriteLine("Get them yourself:");
        Console.WriteLine($"  curl -s -X POST {client.Endpoint.ToString().TrimEnd('/')}/api/recommendations -H 'x-functions-key: {key}' -H 'content-type: application/json' "
            + $"-d '{{\"campaignArn\":\"{campaignName}\",\"userId\":\"{user}\",\"numResults\":10}}'");
        Console.WriteLine($"  dotnet run --project functions/Recsys.Cli -- recommend {campaignName} {user}");
        return ExitCodes.Success;
    }

    /// <summary>The dataset group's name from the file's: <c>ratings.csv</c> → <c>ratings</c>.</summary>
    public static string GroupName(string file)
    {
        var name = Path.GetFileName(file);
        foreach (var suffix in new[] { ".gz", ".csv" })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^suffix.Length];
            }
        }

        var clean = new string([.. name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-')]).Trim('-');
        return clean.Length == 0 ? "quickstart" : clean.Length > 40 ? clean[..40] : clean;
    }

    private static async Task<JsonNode> FollowTrainingAsync(RecsysClient client, string versionArn, string recipe, CancellationToken cancellationToken)
    {
        var progress = new ProgressLine($"train {recipe}");
        while (true)
        {
            var version = (await client.GetAsync($"api/manage/solution-versions/{Uri.EscapeDataString(versionArn)}", cancellationToken))["solutionVersion"]!;
            var status = (string?)version["status"];
            progress.Report(((int?)version["percentComplete"] ?? 0) / 100.0, $"{status} {version["phase"]}");
            if (status == "ACTIVE")
            {
                progress.Done();
                return (await client.GetAsync($"api/manage/solution-versions/{Uri.EscapeDataString(versionArn)}/metrics", cancellationToken))["metrics"]!;
            }

            if (status is "CREATE FAILED" or "CREATE STOPPED")
            {
                progress.Done();
                throw new CliException(ExitCodes.JobFailed, $"Training {versionArn} ended {status}: {version["failureReason"]}");
            }

            await Task.Delay(s_poll, cancellationToken);
        }
    }

    private static async Task WaitActiveAsync(RecsysClient client, string path, string resource, CancellationToken cancellationToken)
    {
        while (true)
        {
            var described = (await client.GetAsync(path, cancellationToken))[resource]!;
            switch ((string?)described["status"])
            {
                case "ACTIVE":
                    return;
                case "CREATE FAILED":
                    throw new CliException(ExitCodes.JobFailed, $"The {resource} failed: {described["failureReason"]}");
            }

            await Task.Delay(s_poll, cancellationToken);
        }
    }

    private static string Metric(JsonNode metrics, string key, string label)
        => metrics[key] is { } value ? $"{label} {((double)value).ToString("0.000", CultureInfo.InvariantCulture)} on held-out users" : "no offline metrics";

    /// <summary>The user id of the file's first row: a real user to show recommendations for.</summary>
    private static string FirstUser(string file, InferredSchema schema)
    {
        var userColumn = schema.ColumnMapping.FirstOrDefault(m => m.Value == "USER_ID").Key;
        using var stream = File.OpenRead(file);
        using var input = file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress)
            : (Stream)stream;
        using var csv = Sylvan.Data.Csv.CsvDataReader.Create(new StreamReader(input));
        var ordinal = Enumerable.Range(0, csv.FieldCount).First(i => userColumn is null
            ? SchemaInference.Normalize(csv.GetName(i)) == "userid"
            : csv.GetName(i) == userColumn);
        return csv.Read() ? csv.GetString(ordinal) : throw new CliException(ExitCodes.Usage, $"{file} has no rows.");
    }
}
