using System.Text.Json;
using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Core.BatchJobs;
using Recsys.Core.Campaigns;
using Recsys.Core.DataLifecycle;
using Recsys.Core.DatasetGroups;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Events;
using Recsys.Core.Filters;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;
using Recsys.Core.Runtime;
using Recsys.Core.Schemas;
using Recsys.Core.Solutions;
using Recsys.Core.Telemetry;
using Recsys.Functions.Http;
using Recsys.Functions.Jobs;
using Recsys.Ranking;
using Recsys.Storage;
using Recsys.Storage.Events;
using Recsys.Storage.Models;

namespace Recsys.Functions.Composition;

/// <summary>The composition root: every service of the app, registered in one place, with its options bound and validated at start.</summary>
internal static class RecsysServices
{
    /// <summary>Registers the whole app on <paramref name="services"/>.</summary>
    public static IServiceCollection AddRecsys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ServingOptions>().BindConfiguration(ServingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TrainingOptions>().BindConfiguration(TrainingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DatasetImportOptions>().BindConfiguration("Recsys:Imports")
            .Validate(o => o.MaxRejectedPercent is >= 0 and <= 100, "Recsys:Imports:MaxRejectedPercent must be between 0 and 100.").ValidateOnStart();
        services.AddOptions<JobOptions>().BindConfiguration(JobOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EventCompactionOptions>().BindConfiguration(EventCompactionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EventStoreOptions>()
            .BindConfiguration(EventStoreOptions.Section)
            .Validate(o => o.HistoryLength is >= 1 and <= 1000, "Recsys:Events:HistoryLength must be between 1 and 1000.")
            .Validate(o => o.MaxHistoryCharacters >= 10_000, "Recsys:Events:MaxHistoryCharacters must be at least 10000.")
            .Validate(o => o.MaxConcurrencyRetries >= 0, "Recsys:Events:MaxConcurrencyRetries must not be negative.")
            .ValidateOnStart();
        services.AddSingleton(QueueHostSettings.Load(configuration));
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o => ApiJson.Configure(o.SerializerOptions));
        services.Configure<WorkerOptions>(o => o.Serializer = new JsonObjectSerializer(JobMessageOptions()));

        AddStorage(services, configuration);
        AddData(services);
        AddTraining(services);
        AddServing(services);
        AddJobs(services);
        return services;
    }

    private static void AddStorage(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(StorageOptions.FromSettings(key => configuration[key]));
        services.AddSingleton(sp => new StorageClients(sp.GetRequiredService<StorageOptions>()));
        services.AddSingleton<StorageProvisioner>();
        services.AddSingleton<StorageStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageStartup>());
        services.AddHostedService<TrainingSchedulerStartup>();
        services.AddSingleton<IJobScheduler, QueueJobScheduler>();
        services.AddSingleton<ImportDropDispatcher>();
        Store(services, StorageNames.DatasetGroupsTable, RecordJson.Default.DatasetGroup, "dataset group");
        Store(services, StorageNames.SchemasTable, RecordJson.Default.Schema, "schema");
        Store(services, StorageNames.DatasetsTable, RecordJson.Default.Dataset, "dataset");
        Store(services, StorageNames.ImportJobsTable, RecordJson.Default.DatasetImportJob, "dataset import job");
        Store(services, StorageNames.EventTrackersTable, RecordJson.Default.EventTracker, "event tracker");
        Store(services, StorageNames.SolutionsTable, RecordJson.Default.Solution, "solution");
        Store(services, StorageNames.SolutionVersionsTable, RecordJson.Default.SolutionVersion, "solution version");
        Store(services, StorageNames.CampaignsTable, RecordJson.Default.Campaign, "campaign");
        Store(services, StorageNames.FiltersTable, RecordJson.Default.Filter, "filter");
        Store(services, StorageNames.BatchJobsTable, RecordJson.Default.BatchJob, "batch job");
        Store(services, StorageNames.BatchJobsTable, RecordJson.Default.DatasetExportJob, DatasetExportJob.DisplayName);
        Store(services, StorageNames.BatchJobsTable, RecordJson.Default.DataDeletionJob, DataDeletionJob.DisplayName);
        services.AddSingleton<IDatasetSegmentStore, BlobDatasetSegmentStore>();
        services.AddSingleton<IImportFileStore, BlobImportFileStore>();
        services.AddSingleton<ISolutionModelStore, BlobSolutionModelStore>();
        services.AddSingleton<IBatchJobFiles, BlobBatchJobFiles>();
        services.AddSingleton<IEventTrackerIndex>(sp => new TableEventTrackerIndex(sp.GetRequiredService<StorageClients>().Table(StorageNames.EventTrackersTable)));
        services.AddSingleton<IEventStore>(sp => new HistoryCache(
            new TableEventStore(
                sp.GetRequiredService<StorageClients>().Table(StorageNames.EventsTable),
                sp.GetRequiredService<IOptions<EventStoreOptions>>().Value,
                sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<ServingOptions>>().Value.HistoryCacheSeconds),
            feed: new TableHistoryChangeFeed(sp.GetRequiredService<StorageClients>().Table(StorageNames.HistoryChangesTable), sp.GetRequiredService<TimeProvider>())));
        services.AddHostedService<HistoryChangeFollower>();
        services.AddSingleton<IDatasetRecordStore>(sp => new TableDatasetRecordStore(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.ItemsTable),
            sp.GetRequiredService<StorageClients>().Table(StorageNames.UsersTable)));
        services.AddSingleton<IDeletedUsers>(sp => new TableDeletedUsers(sp.GetRequiredService<StorageClients>().Table(StorageNames.DeletedUsersTable)));
    }

    private static void AddData(IServiceCollection services)
    {
        services.AddSingleton<DatasetGroupService>();
        services.AddSingleton<SchemaService>();
        services.AddSingleton<DatasetService>();
        services.AddSingleton<DatasetImportService>();
        services.AddSingleton(sp => new DatasetImportRunner(
            sp.GetRequiredService<IResourceStore<DatasetImportJob>>(), sp.GetRequiredService<IResourceStore<Dataset>>(), sp.GetRequiredService<IResourceStore<Schema>>(),
            sp.GetRequiredService<IDatasetSegmentStore>(), sp.GetRequiredService<IImportFileStore>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<JobRunner>(), sp.GetRequiredService<RecsysMetrics>(), sp.GetRequiredService<IOptions<DatasetImportOptions>>().Value));
        services.AddSingleton<TrainingDataReader>();
        services.AddSingleton<EventTrackerService>();
        services.AddSingleton<EventService>();
        services.AddSingleton<IndividualRecordService>();
        services.AddSingleton<FilterService>();
        services.AddSingleton<DataJobService>();
        services.AddSingleton<DataJobRunner>();
        services.AddSingleton(sp => new EventCompactor(
            sp.GetRequiredService<DatasetService>(), sp.GetRequiredService<SchemaService>(), sp.GetRequiredService<IDatasetSegmentStore>(),
            sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<EventCompactionOptions>>().Value.CompactionSettleSeconds)));
    }

    private static void AddTraining(IServiceCollection services)
    {
        services.AddSingleton<ILearningToRank, LightGbmLearningToRank>();
        services.AddSingleton(sp => new TrainingDataLoader(
            sp.GetRequiredService<TrainingDataReader>(), sp.GetRequiredService<IDatasetSegmentStore>(), sp.GetRequiredService<IEventStore>()));
        services.AddSingleton<SolutionService>();
        services.AddSingleton(sp => new TrainingRunner(
            sp.GetRequiredService<IResourceStore<Solution>>(), sp.GetRequiredService<IResourceStore<SolutionVersion>>(),
            sp.GetRequiredService<TrainingDataLoader>(), sp.GetRequiredService<ISolutionModelStore>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<JobRunner>(), sp.GetRequiredService<ILearningToRank>(), sp.GetRequiredService<RecsysMetrics>()));
    }

    private static void AddServing(IServiceCollection services)
    {
        services.AddSingleton<CampaignService>();
        services.AddSingleton(sp => new SolutionModelLoader(
            sp.GetRequiredService<SolutionService>(), sp.GetRequiredService<ISolutionModelStore>(), sp.GetRequiredService<ILearningToRank>(),
            sp.GetRequiredService<IOptions<ServingOptions>>().Value.ModelCacheMegabytes * 1024 * 1024,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ItemCatalogs(
            sp.GetRequiredService<IDatasetSegmentStore>(), sp.GetRequiredService<IDatasetRecordStore>(),
            sp.GetRequiredService<IResourceStore<Dataset>>(), sp.GetRequiredService<IResourceStore<Schema>>(), sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<ServingOptions>>().Value.CatalogRefreshSeconds)));
        services.AddSingleton<UserInteractionIndexes>();
        services.AddSingleton(sp => new RecommendationService(
            sp.GetRequiredService<CampaignService>(), sp.GetRequiredService<SolutionModelLoader>(), sp.GetRequiredService<IEventStore>(),
            sp.GetRequiredService<FilterService>(), sp.GetRequiredService<ItemCatalogs>(), sp.GetRequiredService<UserInteractionIndexes>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<RecsysMetrics>()));
    }

    private static void AddJobs(IServiceCollection services)
    {
        services.AddSingleton(sp => new JobRunner(sp.GetRequiredService<TimeProvider>(), TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<JobOptions>>().Value.LeaseSeconds)));
        services.AddSingleton<JobDeliveries>();
        services.AddSingleton<JobWatchdog>();
        services.AddSingleton<BatchJobService>();
        services.AddSingleton<BatchJobRunner>();
    }

    private static void Store<T>(IServiceCollection services, string table, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> json, string displayName)
        where T : class, IResource
        => services.AddSingleton<IResourceStore<T>>(sp => new TableResourceStore<T>(sp.GetRequiredService<StorageClients>().Table(table), json, displayName));

    // Queue-triggered functions take typed messages: the worker reads them with the messages' source-generated JSON.
    private static JsonSerializerOptions JobMessageOptions()
    {
        var options = new JsonSerializerOptions(JobMessageJson.Default.Options);
        options.TypeInfoResolverChain.Clear();
        options.TypeInfoResolverChain.Add(JobMessageJson.Default);
        options.TypeInfoResolverChain.Add(new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver());
        return options;
    }
}

/// <summary>Gives training its share of the instance (<see cref="TrainingOptions"/>) before any job runs.</summary>
internal sealed class TrainingSchedulerStartup(IOptions<TrainingOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Algorithms.TrainingScheduler.Configure(options.Value.MaxDegreeOfParallelism, options.Value.LowerPriority);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Follows the history change feed for the instance's <see cref="HistoryCache"/> every half staleness bound, for
/// as long as the worker runs. A failing read is logged once per outage (the cache serves nothing from memory
/// meanwhile) and tried again at the same pace; a missing table is created again.
/// </summary>
internal sealed partial class HistoryChangeFollower(IEventStore events, StorageStartup startup, TimeProvider time, ILogger<HistoryChangeFollower> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (events is not HistoryCache { FollowsChanges: true } cache)
        {
            return;
        }

        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await cache.FollowChangesAsync(stoppingToken);
                if (failing)
                {
                    Recovered(logger);
                    failing = false;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (!failing)
                {
                    Failing(logger, e.Message);
                }

                failing = true;
                if (Problems.IsStorageResourceMissing(e))
                {
                    startup.Reprovision(e.Message);
                }
            }

            await Task.Delay(cache.FollowInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot follow the history change feed ({Reason}); recent events are read from storage on every request until it can")]
    private static partial void Failing(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Following the history change feed again")]
    private static partial void Recovered(ILogger logger);
}

/// <summary>
/// Creates the storage resources (containers, queues, tables) when the worker starts. Start-up waits for it a few
/// seconds at most: when storage is unreachable the worker still starts (and answers 503s) while this keeps trying
/// in the background with back-off, so the app comes back by itself when storage does. It creates them again when a
/// request finds one missing (<see cref="Reprovision"/>): storage reset under a running app comes back by itself too.
/// </summary>
internal sealed partial class StorageStartup(StorageProvisioner provisioner, ILogger<StorageStartup> logger) : BackgroundService
{
    private static readonly TimeSpan s_startWait = TimeSpan.FromSeconds(10);
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _again = new(0, 1);
    private string? _missing;

    /// <summary>Asks for the containers, queues and tables to be created again (at most one run pending).</summary>
    public void Reprovision(string reason)
    {
        _missing = reason;
        try
        {
            _again.Release();
        }
        catch (SemaphoreFullException)
        {
            // A run is already pending.
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken);
        await _firstAttempt.Task.WaitAsync(s_startWait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public override void Dispose()
    {
        _again.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ProvisionAsync(stoppingToken);
        _firstAttempt.TrySetResult();
        while (!stoppingToken.IsCancellationRequested)
        {
            await _again.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!stoppingToken.IsCancellationRequested)
            {
                Missing(logger, _missing ?? "unknown");
                await ProvisionAsync(stoppingToken);
            }
        }
    }

    private async Task ProvisionAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await provisioner.EnsureCreatedAsync(stoppingToken);
                if (attempt > 1)
                {
                    Provisioned(logger, attempt);
                }

                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && Problems.IsStorageOutage(e))
            {
                if (attempt == 1)
                {
                    Unreachable(logger, e.Message);
                }

                _firstAttempt.TrySetResult();
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A container, queue or table was missing ({Reason}): creating them again")]
    private static partial void Missing(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage is unreachable ({Reason}); the app goes on and keeps trying to create its containers, queues and tables")]
    private static partial void Unreachable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage reachable again: containers, queues and tables created (attempt {Attempt})")]
    private static partial void Provisioned(ILogger logger, int attempt);
}
