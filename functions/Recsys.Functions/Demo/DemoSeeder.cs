using Recsys.Core.Campaigns;
using Recsys.Core.DatasetGroups;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Errors;
using Recsys.Core.Resources;
using Recsys.Core.Runtime;
using Recsys.Core.Schemas;
using Recsys.Core.Solutions;
using Recsys.Data.Synthetic;
using Recsys.Functions.LocalHost;
using Recsys.Storage;

namespace Recsys.Functions.Demo;

/// <summary>
/// Local demo (setting <c>Recsys:LocalHost:Demo</c>): on first start, creates the <c>demo</c> dataset group with
/// its schemas and datasets, generates a synthetic shop, and drops the CSVs into the imports container — as a
/// user would — so that the import jobs load it. Later starts find it there and do nothing.
/// </summary>
internal sealed class DemoSeeder(
    DatasetGroupService groups,
    SchemaService schemas,
    DatasetService datasets,
    DatasetImportService imports,
    SolutionService solutions,
    CampaignService campaigns,
    RecommendationService recommendations,
    StorageClients storage,
    IHostApplicationLifetime lifetime,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    public const string DatasetGroup = "demo";
    public const string Campaign = "demo-campaign";
    private const string Solution = "demo-user-personalization";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Wait until the host listens: the imports are picked up by its own triggers.
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);

        try
        {
            await groups.CreateAsync(DatasetGroup, "ECOMMERCE", stoppingToken);
        }
        catch (ResourceAlreadyExistsException)
        {
            Log.DemoPresent(logger, DatasetGroup);
            await DeployAndShowAsync(stoppingToken);
            return;
        }

        await LoadDataAsync(stoppingToken);
        await DeployAndShowAsync(stoppingToken);
    }

    private async Task LoadDataAsync(CancellationToken stoppingToken)
    {

        foreach (var (type, schema) in new[]
        {
            ("Interactions", SyntheticDataGenerator.InteractionsSchema),
            ("Items", SyntheticDataGenerator.ItemsSchema),
            ("Users", SyntheticDataGenerator.UsersSchema),
        })
        {
            var name = $"{DatasetGroup}-{type.ToLowerInvariant()}";
            try
            {
                await schemas.CreateAsync(name, schema.ToJson(), "ECOMMERCE", stoppingToken);
            }
            catch (ResourceAlreadyExistsException)
            {
                // Kept from an earlier demo.
            }

            await datasets.CreateAsync(name, DatasetGroup, type, name, null, stoppingToken);
        }

        var directory = Directory.CreateTempSubdirectory("recsys-demo-").FullName;
        try
        {
            var generated = await SyntheticDataGenerator.GenerateAsync(
                new SyntheticDataOptions { Seed = 7, Interactions = 200_000, Users = 5_000, Items = 2_000 }, directory, stoppingToken);
            var container = storage.Container(StorageNames.ImportsContainer);
            foreach (var (type, file) in new[] { ("Items", generated.ItemsCsv), ("Users", generated.UsersCsv), ("Interactions", generated.InteractionsCsv) })
            {
                await container.GetBlobClient($"{DatasetGroup}/{type}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true, stoppingToken);
            }

            Log.DemoDropped(logger, generated.Interactions, generated.Users, generated.Items);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        // Report the imports as they finish.
        var pending = new HashSet<string>(StringComparer.Ordinal) { "INTERACTIONS", "ITEMS", "USERS" };
        while (pending.Count > 0 && !stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            var page = await imports.ListAsync(null, Paging.MaxPageSize, null, stoppingToken);
            foreach (var job in page.Items.Where(j => j.DatasetGroup == DatasetGroup && j.DatasetType is not null && ResourceStatus.IsTerminal(j.State.Status)))
            {
                if (pending.Remove(Dataset.TypeKey(job.DatasetType!.Value)))
                {
                    Log.DemoImported(logger, job.DataLocation, job.State.Status, job.RowsImported, job.RowsRejected);
                }
            }
        }
    }

    /// <summary>Trains user-personalization on the demo data, deploys it as a campaign, and shows what it recommends.</summary>
    private async Task DeployAndShowAsync(CancellationToken stoppingToken)
    {
        var campaign = await FindCampaignAsync(stoppingToken);
        if (campaign is null)
        {
            Stored<Solution> solution;
            try
            {
                solution = await solutions.CreateAsync(Solution, DatasetGroup, "user-personalization", null, null, null, cancellationToken: stoppingToken);
            }
            catch (ResourceAlreadyExistsException)
            {
                solution = await solutions.DescribeAsync(Solution, stoppingToken);
            }

            var version = await LatestVersionAsync(solution.Value.Name, stoppingToken)
                ?? (await solutions.CreateVersionAsync(solution.Value.Arn, "FULL", cancellationToken: stoppingToken)).Value;
            Log.DemoTraining(logger, version.Arn);
            while (!ResourceStatus.IsTerminal(version.State.Status))
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                version = (await solutions.DescribeVersionAsync(version.Arn, stoppingToken)).Value;
            }

            if (version.State.Status != ResourceStatus.Active)
            {
                Log.DemoTrainingFailed(logger, version.Arn, version.State.FailureReason ?? version.State.Status);
                return;
            }

            campaign = (await campaigns.CreateAsync(Campaign, version.Arn, null, new CampaignConfig(EnableMetadataWithRecommendations: true, SyncWithLatestSolutionVersion: true), stoppingToken)).Value;
        }

        var result = await recommendations.GetRecommendationsAsync(new RecommendationRequest { CampaignArn = campaign.Arn, UserId = "u42", NumResults = 10 }, stoppingToken);
        var items = string.Join(", ", result.ItemList.Select(i => i.ItemId));
        Log.DemoRecommendations(logger, campaign.Name, items);
        Console.WriteLine();
        Console.WriteLine("Recsys demo is ready. Try:");
        Console.WriteLine($"  curl -s -X POST localhost:7071/api/recommendations -H 'x-functions-key: local-function-key' -H 'content-type: application/json' -d '{{\"campaignArn\":\"{campaign.Arn}\",\"userId\":\"u42\",\"numResults\":5}}'");
        Console.WriteLine("  curl -s 'localhost:7071/api/manage/dataset-import-jobs?code=local-master-key'");
        Console.WriteLine();
    }

    private async Task<Campaign?> FindCampaignAsync(CancellationToken stoppingToken)
    {
        try
        {
            return (await campaigns.DescribeAsync(Campaign, stoppingToken)).Value;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    private async Task<SolutionVersion?> LatestVersionAsync(string solution, CancellationToken stoppingToken)
    {
        var page = await solutions.ListVersionsAsync(solution, Paging.MaxPageSize, null, stoppingToken);
        return page.Items.Where(v => v.State.Status is not ResourceStatus.CreateFailed and not ResourceStatus.DeletePending)
            .OrderByDescending(v => v.State.CreationDateTime).FirstOrDefault();
    }
}
