using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Data.Synthetic;
using Recsys.Functions;
using Recsys.Storage;
using Recsys.Functions.Tests;
using Recsys.Testing;

namespace Recsys.Benchmarks.Serving;

/// <summary>What <see cref="ServingHost.DeployAsync"/> set up, with its timings.</summary>
internal sealed record Deployment(
    string CampaignArn, string SolutionVersionArn, string FilterArn, int Users, int Items, long Interactions,
    double GenerateSeconds, double ImportSeconds, double TrainSeconds)
{
    /// <summary>The dataset part of a benchmark report.</summary>
    public System.Text.Json.Nodes.JsonObject DatasetFigures() => new()
    {
        ["generator"] = "SyntheticDataGenerator, seed 7",
        ["users"] = Users,
        ["items"] = Items,
        ["interactions"] = Interactions,
        ["generateSeconds"] = GenerateSeconds,
        ["importSeconds"] = ImportSeconds,
        ["trainSeconds"] = TrainSeconds,
    };
}

/// <summary>
/// Azurite, the dev host and the worker as processes (as the tests run them), and the whole serving flow of the
/// end-to-end test through HTTP: a generated shop imported by dropping its CSVs, a user-personalization solution trained by the
/// training job, a campaign and a filter.
/// </summary>
internal sealed class ServingHost : IAsyncDisposable
{
    public const string MasterKey = FunctionsHost.MasterKey;
    public const string HostKey = FunctionsHost.HostKey;
    public const string DatasetGroup = "shop";

    private readonly Azurite _azurite;
    private readonly FunctionsHost _runner;
    private readonly string _directory;

    private ServingHost(Azurite azurite, FunctionsHost runner, double coldStartSeconds)
    {
        ColdStartSeconds = coldStartSeconds;
        _azurite = azurite;
        _runner = runner;
        Address = runner.BaseAddress;
        Admin = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(10) };
        _directory = Directory.CreateTempSubdirectory("recsys-serving-bench-").FullName;
    }

    public Uri Address { get; }

    public HttpClient Admin { get; }

    public IServiceProvider Services => _runner.Services;

    /// <summary>Seconds from starting the dev host process to its first 200 (the worker launched, indexed and answering).</summary>
    public double ColdStartSeconds { get; }

    /// <summary>The worker's own start (launch to every function loaded), as the dev host logged it, in milliseconds.</summary>
    public double? WorkerStartMilliseconds => _runner.Process.Output
        .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"Worker process \d+ ready in (\d+) ms"))
        .Where(m => m.Success).Select(m => (double?)double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();

    public static async Task<ServingHost> StartAsync()
    {
        var azurite = await Azurite.StartAsync();
        var clock = Stopwatch.StartNew();
        var runner = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Recsys:DevHost:BlobScanInterval"] = "00:00:00.500",
            // Quiet, as the tests run (framework and per-request chatter off), but the dev host's lines that report
            // the worker's start.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Recsys.DevHost"] = "Information",
        });
        using (var first = await runner.Client.GetAsync("/api/health"))
        {
            first.EnsureSuccessStatusCode();
        }

        return new ServingHost(azurite, runner, Math.Round(clock.Elapsed.TotalSeconds, 2));
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _runner.DisposeAsync();
        await _azurite.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// Generates a shop of <paramref name="items"/> items and <paramref name="interactions"/> interactions, imports it,
    /// trains user-personalization with <paramref name="hyperparameters"/>, and creates a campaign and an EXCLUDE-by-category filter.
    /// </summary>
    public async Task<Deployment> DeployAsync(int items, long interactions, IReadOnlyDictionary<string, string> hyperparameters)
    {
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"generating {interactions:N0} interactions over {items:N0} items ...");
        var generated = await SyntheticDataGenerator.GenerateAsync(new SyntheticDataOptions { Seed = 7, Interactions = interactions, Items = items }, _directory);
        var generateSeconds = Lap(clock);

        await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = DatasetGroup });
        var storage = Services.GetRequiredService<StorageClients>();
        foreach (var (type, schema, file) in new[]
        {
            ("Interactions", SyntheticDataGenerator.InteractionsSchema, generated.InteractionsCsv),
            ("Items", SyntheticDataGenerator.ItemsSchema, generated.ItemsCsv),
        })
        {
            await SendAsync(HttpMethod.Post, "/api/manage/schemas", new JsonObject { ["name"] = DatasetGroup + "-" + type, ["schema"] = schema.ToJson() });
            await SendAsync(HttpMethod.Post, "/api/manage/datasets", new JsonObject
            {
                ["name"] = DatasetGroup + "-" + type, ["datasetGroupArn"] = DatasetGroup, ["datasetType"] = type, ["schemaArn"] = DatasetGroup + "-" + type,
            });
            await storage.Container(StorageNames.ImportsContainer).GetBlobClient($"{DatasetGroup}/{type}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true);
        }

        await WaitAsync("imports", TimeSpan.FromMinutes(5), async () =>
        {
            var jobs = (await SendAsync(HttpMethod.Get, "/api/manage/dataset-import-jobs"))!["datasetImportJobs"]!.AsArray();
            if (jobs.Any(j => (string?)j!["status"] == "CREATE FAILED"))
            {
                throw new InvalidOperationException("An import failed: " + jobs.ToJsonString());
            }

            return jobs.Count(j => (string?)j!["status"] == "ACTIVE") == 2;
        });
        var importSeconds = Lap(clock);

        Console.WriteLine("training ...");
        var parameters = new JsonObject();
        foreach (var (name, value) in hyperparameters)
        {
            parameters[name] = value;
        }

        var solution = (string)(await SendAsync(HttpMethod.Post, "/api/manage/solutions", new JsonObject
        {
            ["name"] = DatasetGroup + "-up", ["datasetGroupArn"] = DatasetGroup, ["recipeArn"] = "arn:aws:personalize:::recipe/aws-user-personalization",
            ["solutionConfig"] = new JsonObject { ["algorithmHyperParameters"] = parameters },
        }))!["solutionArn"]!;
        var version = (string)(await SendAsync(HttpMethod.Post, "/api/manage/solution-versions", new JsonObject { ["solutionArn"] = solution }))!["solutionVersionArn"]!;
        await WaitAsync("training", TimeSpan.FromMinutes(20), async () =>
        {
            var status = (string?)(await SendAsync(HttpMethod.Get, "/api/manage/solution-versions/" + Uri.EscapeDataString(version)))!["solutionVersion"]!["status"];
            return status == "CREATE FAILED" ? throw new InvalidOperationException("Training failed.") : status == "ACTIVE";
        });
        var trainSeconds = Lap(clock);

        var campaign = (string)(await SendAsync(HttpMethod.Post, "/api/manage/campaigns", new JsonObject
        {
            ["name"] = DatasetGroup + "-campaign", ["solutionVersionArn"] = version,
        }))!["campaignArn"]!;
        var filter = (string)(await SendAsync(HttpMethod.Post, "/api/manage/filters", new JsonObject
        {
            ["name"] = "not-category", ["datasetGroupArn"] = DatasetGroup, ["filterExpression"] = "EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)",
        }))!["filterArn"]!;
        Console.WriteLine($"deployed: generate {generateSeconds:F1} s, import {importSeconds:F1} s, train {trainSeconds:F1} s");
        return new Deployment(campaign, version, filter, generated.Users, generated.Items, generated.Interactions, generateSeconds, importSeconds, trainSeconds);
    }

    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", MasterKey);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), new MediaTypeHeaderValue("application/json"));
        }

        using var response = await Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private static async Task WaitAsync(string what, TimeSpan timeout, Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{what} did not finish within {timeout}.");
            }

            await Task.Delay(250);
        }
    }

    private static double Lap(Stopwatch clock)
    {
        var seconds = Math.Round(clock.Elapsed.TotalSeconds, 2);
        clock.Restart();
        return seconds;
    }
}
