using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Recsys.Data.Synthetic;
using Recsys.DevHost.Hosting;
using Recsys.DevHost.Storage;
using Recsys.DevHost.Worker;

namespace Recsys.DevHost.Demo;

/// <summary>
/// The local demo (setting <c>Recsys:DevHost:Demo</c>), done as a user would through the public API with the master
/// key: creates the <c>demo</c> dataset group, its schemas and datasets, drops a synthetic shop's CSVs into the
/// imports container (the blob trigger imports them), trains user-personalization, deploys <c>demo-campaign</c> and
/// prints what it recommends. A later start finds the campaign and only prints the recommendations.
/// </summary>
internal sealed class DemoLoader(
    IOptions<DevHostOptions> options,
    WorkerHost workerHost,
    HostAddresses addresses,
    StorageClients storage,
    IHttpClientFactory httpClients,
    ILogger<DemoLoader> logger) : BackgroundService
{
    public const string HttpClientName = "demo";
    private const string DatasetGroup = "demo";
    private const string Campaign = "demo-campaign";
    private const string Solution = "demo-user-personalization";
    private const string Active = "ACTIVE";
    private const string Failed = "CREATE FAILED";
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Demo)
        {
            return;
        }

        try
        {
            await workerHost.Functions.WaitAsync(stoppingToken);
            await workerHost.WaitReadyAsync(stoppingToken);
            using var http = httpClients.CreateClient(HttpClientName);
            http.BaseAddress = addresses.PublicUri;
            http.Timeout = TimeSpan.FromMinutes(5);
            http.DefaultRequestHeaders.Add("x-functions-key", options.Value.MasterKey);

            var campaignArn = await FindArnAsync(http, $"api/manage/campaigns/{Campaign}", "campaign", "campaignArn", stoppingToken);
            if (campaignArn is null)
            {
                var groupArn = await CreateGroupAsync(http, stoppingToken);
                if (groupArn is not null)
                {
                    await LoadDataAsync(http, groupArn, stoppingToken);
                }

                groupArn ??= await FindArnAsync(http, $"api/manage/dataset-groups/{DatasetGroup}", "datasetGroup", "datasetGroupArn", stoppingToken)
                    ?? throw new DemoException("the dataset group 'demo' can be neither created nor found");
                campaignArn = await TrainAndDeployAsync(http, groupArn, stoppingToken);
            }
            else
            {
                Log.DemoPresent(logger, Campaign);
            }

            await ShowAsync(http, campaignArn, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped meanwhile.
        }
        catch (Exception e) when (e is DemoException or HttpRequestException or InvalidDataException || StorageHealth.IsOutage(e))
        {
            Log.DemoFailed(logger, e.Message);
        }
    }

    private static async Task<string?> CreateGroupAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/manage/dataset-groups", new { name = DatasetGroup, domain = "ECOMMERCE" }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }

        return (string?)(await ReadAsync(response, "create the dataset group", cancellationToken))["datasetGroupArn"];
    }

    private async Task LoadDataAsync(HttpClient http, string groupArn, CancellationToken cancellationToken)
    {
        foreach (var (type, schema) in new[]
        {
            ("Interactions", SyntheticDataGenerator.InteractionsSchema),
            ("Items", SyntheticDataGenerator.ItemsSchema),
            ("Users", SyntheticDataGenerator.UsersSchema),
        })
        {
            var name = $"{DatasetGroup}-{type.ToLowerInvariant()}";
            using var created = await http.PostAsJsonAsync("api/manage/schemas", new { name, schema = schema.ToJson(), domain = "ECOMMERCE" }, cancellationToken);
            var schemaArn = created.StatusCode == HttpStatusCode.Conflict
                ? await FindArnAsync(http, $"api/manage/schemas/{name}", "schema", "schemaArn", cancellationToken)
                : (string?)(await ReadAsync(created, $"create the schema {name}", cancellationToken))["schemaArn"];
            using var dataset = await http.PostAsJsonAsync("api/manage/datasets", new { name, datasetGroupArn = groupArn, datasetType = type, schemaArn }, cancellationToken);
            await ReadAsync(dataset, $"create the dataset {name}", cancellationToken);
        }

        var directory = Directory.CreateTempSubdirectory("recsys-demo-").FullName;
        try
        {
            var generated = await SyntheticDataGenerator.GenerateAsync(
                new SyntheticDataOptions { Seed = 7, Interactions = 200_000, Users = 5_000, Items = 2_000 }, directory, cancellationToken);
            var container = storage.Container("imports");
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            foreach (var (type, file) in new[] { ("Items", generated.ItemsCsv), ("Users", generated.UsersCsv), ("Interactions", generated.InteractionsCsv) })
            {
                await container.GetBlobClient($"{DatasetGroup}/{type}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true, cancellationToken);
            }

            Log.DemoDropped(logger, generated.Interactions, generated.Users, generated.Items);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        // The blob trigger turns each drop into an import job; report them as they finish.
        var reported = new HashSet<string>(StringComparer.Ordinal);
        while (reported.Count < 3)
        {
            await Task.Delay(s_poll, cancellationToken);
            var page = await GetAsync(http, "api/manage/dataset-import-jobs?maxResults=100", cancellationToken);
            foreach (var job in (page["datasetImportJobs"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var datasetArn = (string?)job["datasetArn"] ?? string.Empty;
                var status = (string?)job["status"] ?? string.Empty;
                if (datasetArn.Contains($"/{DatasetGroup}/", StringComparison.Ordinal) && IsTerminal(status) && reported.Add(datasetArn))
                {
                    Log.DemoImported(logger, (string?)job["dataSource"]?["dataLocation"] ?? datasetArn, status, (long?)job["rowsImported"] ?? 0, (long?)job["rowsRejected"] ?? 0);
                }
            }
        }
    }

    private async Task<string> TrainAndDeployAsync(HttpClient http, string groupArn, CancellationToken cancellationToken)
    {
        using var created = await http.PostAsJsonAsync("api/manage/solutions", new { name = Solution, datasetGroupArn = groupArn, recipeArn = "user-personalization" }, cancellationToken);
        var solutionArn = created.StatusCode == HttpStatusCode.Conflict
            ? await FindArnAsync(http, $"api/manage/solutions/{Solution}", "solution", "solutionArn", cancellationToken)
            : (string?)(await ReadAsync(created, "create the solution", cancellationToken))["solutionArn"];

        var versions = await GetAsync(http, $"api/manage/solution-versions?solutionArn={Uri.EscapeDataString(solutionArn!)}", cancellationToken);
        var versionArn = (versions["solutionVersions"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(v => (string?)v["status"] is not Failed and not "DELETE PENDING")
            .OrderByDescending(v => (string?)v["creationDateTime"], StringComparer.Ordinal)
            .Select(v => (string?)v["solutionVersionArn"])
            .FirstOrDefault();
        if (versionArn is null)
        {
            using var version = await http.PostAsJsonAsync("api/manage/solution-versions", new { solutionArn, trainingMode = "FULL" }, cancellationToken);
            versionArn = (string?)(await ReadAsync(version, "start training", cancellationToken))["solutionVersionArn"];
        }

        Log.DemoTraining(logger, versionArn!);
        string status;
        var lastPhase = string.Empty;
        while (true)
        {
            var described = (await GetAsync(http, $"api/manage/solution-versions/{Uri.EscapeDataString(versionArn!)}", cancellationToken))["solutionVersion"]!;
            status = (string?)described["status"] ?? string.Empty;
            var phase = $"{described["phase"]} {described["percentComplete"]}%";
            if (phase != lastPhase)
            {
                Log.DemoTrainingProgress(logger, phase);
                lastPhase = phase;
            }

            if (IsTerminal(status))
            {
                if (status != Active)
                {
                    throw new DemoException($"training {versionArn} ended {status}: {described["failureReason"]}");
                }

                break;
            }

            await Task.Delay(s_poll, cancellationToken);
        }

        using var campaign = await http.PostAsJsonAsync("api/manage/campaigns", new
        {
            name = Campaign,
            solutionVersionArn = versionArn,
            campaignConfig = new { enableMetadataWithRecommendations = true, syncWithLatestSolutionVersion = true },
        }, cancellationToken);
        return (string?)(await ReadAsync(campaign, "deploy the campaign", cancellationToken))["campaignArn"]
            ?? throw new DemoException("the campaign was created without an ARN");
    }

    private async Task ShowAsync(HttpClient http, string campaignArn, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/recommendations", new { campaignArn, userId = "u42", numResults = 10 }, cancellationToken);
        var result = await ReadAsync(response, "get recommendations", cancellationToken);
        var items = string.Join(", ", (result["itemList"] as JsonArray ?? []).Select(i => (string?)i?["itemId"]));
        Log.DemoRecommendations(logger, Campaign, items);
        var url = addresses.PublicUri.ToString().TrimEnd('/');
        Console.WriteLine();
        Console.WriteLine("Recsys demo is ready. Try:");
        Console.WriteLine($"  curl -s -X POST {url}/api/recommendations -H 'x-functions-key: <a function or host key>' -H 'content-type: application/json' -d '{{\"campaignArn\":\"{campaignArn}\",\"userId\":\"u42\",\"numResults\":5}}'");
        Console.WriteLine($"  curl -s {url}/api/manage/dataset-import-jobs -H 'x-functions-key: <the master key>'");
        Console.WriteLine();
    }

    private static async Task<string?> FindArnAsync(HttpClient http, string path, string resource, string arnProperty, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound
            ? null
            : (string?)(await ReadAsync(response, "describe " + path, cancellationToken))[resource]?[arnProperty];
    }

    private static async Task<JsonObject> GetAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        return await ReadAsync(response, "read " + path, cancellationToken);
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new DemoException($"could not {what}: {(int)response.StatusCode} {(body.Length > 500 ? body[..500] : body)}");
        }

        return JsonNode.Parse(body) as JsonObject ?? throw new DemoException($"could not {what}: the answer is not a JSON object");
    }

    // The API's resource states (Personalize's): a job or version ends ACTIVE, CREATE FAILED or CREATE STOPPED.
    private static bool IsTerminal(string status) => status is Active or Failed or "CREATE STOPPED";

    private sealed class DemoException(string message) : Exception(message);
}
