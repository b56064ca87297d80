using System.Net;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration.Memory;
using Recsys.Core.Campaigns;
using Recsys.Core.DatasetGroups;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Schemas;
using Recsys.Core.Resources;
using Recsys.Core.Runtime;
using Recsys.Functions.Api;
using Recsys.Functions.Hosting;
using Recsys.Functions.Invocation;
using Recsys.Functions.Jobs;
using Recsys.Functions.LocalHost;
using Recsys.Functions.Telemetry;
using Recsys.Storage;

namespace Recsys.Functions;

/// <summary>
/// Composes the Recsys Functions app. With <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set it is a custom handler behind
/// the Functions host; without it, it is also its own local Functions host (keys, timers, queues, blob drops).
/// </summary>
public static class RecsysApp
{
    /// <summary>Largest request body accepted by default (1 MiB); setting <c>Recsys:Http:MaxRequestBodyBytes</c>.</summary>
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    /// <summary>Builds the app; <paramref name="configure"/> lets tests adjust the builder.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        configure?.Invoke(builder);
        var scriptRoot = FunctionApp.LocateScriptRoot(builder.Configuration["script-root"]);
        var handlerPort = builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"];
        var isLocalHost = string.IsNullOrEmpty(handlerPort);

        if (isLocalHost && LocalSettings.FindFile(scriptRoot) is { } settingsFile)
        {
            // Lowest precedence: the environment and the command line override local.settings.json, as with Core Tools.
            builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LocalSettings.Read(settingsFile) });
        }

        builder.AddRecsysTelemetry();
        var functionApp = FunctionApp.Load(scriptRoot);
        var maxBody = builder.Configuration.GetValue("Recsys:Http:MaxRequestBodyBytes", DefaultMaxRequestBodyBytes);
        var localOptions = builder.Configuration.GetSection(LocalHostOptions.Section).Get<LocalHostOptions>() ?? new LocalHostOptions();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = maxBody;
            kestrel.AddServerHeader = false;
            var port = isLocalHost ? localOptions.Port : int.Parse(handlerPort!, System.Globalization.CultureInfo.InvariantCulture);
            kestrel.Listen(IPAddress.Loopback, port);
        });

        var services = builder.Services;
        services.AddSingleton(functionApp);
        services.AddSingleton(TimeProvider.System);
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<Problems>();
        services.AddOpenApi("v1");

        services.AddSingleton(StorageOptions.FromSettings(key => builder.Configuration[key]));
        services.AddSingleton(sp => new StorageClients(sp.GetRequiredService<StorageOptions>()));
        services.AddSingleton<StorageProvisioner>();
        services.AddHostedService<StorageStartup>();

        services.AddSingleton<IResourceStore<DatasetGroup>>(sp => new TableResourceStore<DatasetGroup>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.DatasetGroupsTable), ResourceJson.Default.DatasetGroup, "dataset group"));
        services.AddSingleton<DatasetGroupService>();
        services.AddSingleton<IResourceStore<Schema>>(sp => new TableResourceStore<Schema>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.SchemasTable), ResourceJson.Default.Schema, "schema"));
        services.AddSingleton<SchemaService>();
        services.AddSingleton<IResourceStore<Dataset>>(sp => new TableResourceStore<Dataset>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.DatasetsTable), ResourceJson.Default.Dataset, "dataset"));
        services.AddSingleton<IDatasetSegmentStore, BlobDatasetSegmentStore>();
        services.AddSingleton<DatasetService>();
        services.AddSingleton<IResourceStore<DatasetImportJob>>(sp => new TableResourceStore<DatasetImportJob>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.ImportJobsTable), ResourceJson.Default.DatasetImportJob, "dataset import job"));
        services.AddSingleton<IImportFileStore, BlobImportFileStore>();
        services.AddSingleton<IImportJobScheduler, QueueImportJobScheduler>();
        services.AddSingleton<DatasetImportService>();
        services.AddSingleton<DatasetImportRunner>();
        services.AddSingleton<TrainingDataReader>();
        services.AddSingleton<IResourceStore<Campaign>>(sp => new TableResourceStore<Campaign>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.CampaignsTable), ResourceJson.Default.Campaign, "campaign"));
        services.AddSingleton<CampaignService>();
        services.AddSingleton(sp => new ItemCatalogs(
            sp.GetRequiredService<IDatasetSegmentStore>(), sp.GetRequiredService<Recsys.Core.Events.IDatasetRecordStore>(),
            sp.GetRequiredService<IResourceStore<Dataset>>(), sp.GetRequiredService<IResourceStore<Schema>>(), sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(builder.Configuration.GetValue("Recsys:Serving:CatalogRefreshSeconds", ItemCatalogs.DefaultRefreshInterval.TotalSeconds))));
        services.AddSingleton<UserInteractionIndexes>();
        services.AddSingleton<RecommendationService>();

        services.AddEventServices();
        services.AddTrainingServices();
        services.AddFilterServices();
        services.AddSchedulingServices();
        services.AddBatchServices();
        services.AddDataLifecycleServices();
        services.AddSingleton<ImportDropScanner>();
        services.AddSingleton<IInvocationHandler, ImportJobFunction>();
        services.AddSingleton<IInvocationHandler, ImportSweepTimerFunction>();

        if (isLocalHost)
        {
            if (string.IsNullOrEmpty(localOptions.MasterKey))
            {
                throw new InvalidOperationException(
                    "The local host needs a master key: set Recsys__LocalHost__MasterKey in local.settings.json (see local.settings.sample.json).");
            }

            services.AddOptions<LocalHostOptions>().BindConfiguration(LocalHostOptions.Section);
            services.AddHttpClient(FunctionInvoker.HttpClientName);
            services.AddSingleton<FunctionInvoker>();
            services.AddHostedService<QueueTriggerListener>();
            services.AddHostedService<TimerTriggerListener>();
            if (localOptions.Demo)
            {
                services.AddHostedService<Demo.DemoSeeder>();
            }

            if (localOptions.WatchImports)
            {
                services.AddHostedService<ImportsBlobWatcher>();
            }
        }

        var app = builder.Build();
        if (isLocalHost && string.Equals(builder.Configuration["AzureWebJobsStorage"], "UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
        {
            // The local host brings its own storage emulator, as `func start` users expect Azurite to be there.
            var launcher = AzuriteLauncher.EnsureRunningAsync(scriptRoot, app.Logger).GetAwaiter().GetResult();
            app.Lifetime.ApplicationStopped.Register(launcher.Dispose);
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyLimit>(maxBody);
        if (isLocalHost)
        {
            app.UseMiddleware<KeyAuthorization>();
            app.MapLocalAdminEndpoints();
        }

        // Readiness: the Functions host polls GET / until any answer.
        app.MapGet("/", () => TypedResults.Text("Recsys handler ready")).ExcludeFromDescription();

        var api = app.MapGroup("/" + functionApp.RoutePrefix);
        api.MapHealthEndpoints();
        var manage = api.MapGroup("/manage");
        manage.MapDatasetGroupEndpoints();
        manage.MapSchemaEndpoints();
        manage.MapDatasetEndpoints();
        manage.MapDatasetImportJobEndpoints();
        manage.MapEventTrackerEndpoints();
        manage.MapTrainingEndpoints();
        manage.MapFilterEndpoints();
        manage.MapCampaignEndpoints();
        manage.MapBatchEndpoints();
        manage.MapDataLifecycleEndpoints();
        api.MapRuntimeEndpoints();
        api.MapEventEndpoints();
        app.MapOpenApi("/" + functionApp.RoutePrefix + "/openapi/{documentName}.json");
        app.MapInvocationEndpoints(functionApp, app.Services.GetServices<IInvocationHandler>());
        return app;
    }
}

/// <summary>Creates storage resources before the app answers its first request.</summary>
internal sealed class StorageStartup(StorageProvisioner provisioner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => provisioner.EnsureCreatedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Answers 413 with a problem as soon as a declared Content-Length is over the limit; Kestrel enforces the same
/// limit on bodies without a length while they are read.
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, long maxBytes, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            await Problems.WriteAsync(problems, context, Problems.Create(
                StatusCodes.Status413PayloadTooLarge,
                "Request body too large",
                $"The body has {context.Request.ContentLength} bytes; the limit is {maxBytes}."));
            return;
        }

        await next(context);
    }
}
