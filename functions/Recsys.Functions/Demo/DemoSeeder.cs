using Recsys.Core.DatasetGroups;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Errors;
using Recsys.Core.Resources;
using Recsys.Core.Schemas;
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
    StorageClients storage,
    IHostApplicationLifetime lifetime,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    public const string DatasetGroup = "demo";

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
            return;
        }

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
}
