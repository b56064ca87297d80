using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Recsys.DevHost;
using Recsys.DevHost.Demo;
using Recsys.DevHost.Hosting;
using Recsys.DevHost.Http;
using Recsys.DevHost.Storage;
using Recsys.DevHost.Triggers;
using Recsys.DevHost.Worker;

// Recsys.DevHost [--app <worker build folder>] [--settings <local.settings.json>] [--port <n>]
// Recsys.DevHost generate --out DIR [...]: writes a synthetic shop (see GenerateCommand).
if (args.Length > 0 && args[0] == "generate")
{
    return await GenerateCommand.RunAsync(args);
}

var appDirectory = Option(args, "--app")
    ?? Environment.GetEnvironmentVariable("Recsys__DevHost__App")
    ?? typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "WorkerAppDirectory")?.Value
    ?? Directory.GetCurrentDirectory();

using var bootLogging = LoggerFactory.Create(ConfigureLogging);
var boot = bootLogging.CreateLogger("Recsys.DevHost");
WorkerApp app;
AppSettings settings;
try
{
    settings = AppSettings.Load(Option(args, "--settings"), Path.GetFullPath(appDirectory));
    app = WorkerApp.Load(appDirectory, settings.HostJsonOverrides());
}
catch (InvalidDataException e)
{
    Log.CannotStart(boot, e.Message);
    return 1;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddInMemoryCollection(settings.AsConfiguration());
builder.Configuration.AddEnvironmentVariables();
if (Option(args, "--port") is { } port)
{
    builder.Configuration["Recsys:DevHost:Port"] = port;
}

builder.Logging.ClearProviders();
ConfigureLogging(builder.Logging);

ListenOptions? publicListener = null;
ListenOptions? grpcListener = null;
var publicPort = builder.Configuration.GetValue<int?>("Recsys:DevHost:Port") ?? 7071;
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;

    // The Functions host's default request body limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT).
    kestrel.Limits.MaxRequestBodySize = 104_857_600;

    // Kestrel answers requests over its limits with an empty 414 or 431 before any code runs: its limits are set
    // well above the host's own (HttpFunctionProxy), which answers with a problem instead.
    kestrel.Limits.MaxRequestLineSize = 16 * HttpFunctionProxy.MaxRequestTargetLength;
    kestrel.Limits.MaxRequestHeadersTotalSize = 16 * HttpFunctionProxy.MaxRequestHeadersBytes;
    kestrel.Listen(IPAddress.Loopback, publicPort, o =>
    {
        o.Protocols = HttpProtocols.Http1;
        publicListener = o;
    });

    // The worker's gRPC channel: HTTP/2 cleartext on its own loopback port.
    kestrel.Listen(IPAddress.Loopback, 0, o =>
    {
        o.Protocols = HttpProtocols.Http2;
        grpcListener = o;
    });
});

builder.Services.AddOptions<DevHostOptions>()
    .BindConfiguration(DevHostOptions.Section)
    .Validate(o => !string.IsNullOrEmpty(o.MasterKey), "Recsys:DevHost:MasterKey is not set (Recsys__DevHost__MasterKey in local.settings.json): the admin endpoints and admin-level functions need it.")
    .ValidateOnStart();
builder.Services.AddSingleton(app);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<HostAddresses>();
builder.Services.AddSingleton<WorkerRegistry>();
builder.Services.AddSingleton<WorkerLogForwarder>();
builder.Services.AddSingleton<WorkerHost>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkerHost>());
builder.Services.AddSingleton<FunctionInvoker>();
builder.Services.AddSingleton<StorageClients>();
builder.Services.AddSingleton<StorageHealth>();
builder.Services.AddSingleton<KeyCheck>();
builder.Services.AddSingleton<HttpFunctionProxy>();
builder.Services.AddHostedService<TimerTriggerListener>();
builder.Services.AddHostedService<QueueTriggerListener>();
builder.Services.AddHostedService<BlobTriggerListener>();
builder.Services.AddHostedService<DemoLoader>();
builder.Services.AddHttpClient(DemoLoader.HttpClientName);
builder.Services.AddGrpc(o =>
{
    o.MaxReceiveMessageSize = null;
    o.MaxSendMessageSize = null;
});

var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Recsys.DevHost");
if (settings.File is { } file)
{
    Log.SettingsFrom(logger, file);
}

AzuriteLauncher? azurite = null;
try
{
    if (string.Equals(settings["AzureWebJobsStorage"], "UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
    {
        azurite = await AzuriteLauncher.EnsureRunningAsync(RepositoryRoot(app.Directory), logger, CancellationToken.None);
    }

    host.UseMiddleware<HttpFunctionProxy>();
    host.MapGrpcService<FunctionRpcService>();
    host.MapAdminEndpoints();
    host.MapFallback(context => Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not found", $"Nothing handles {context.Request.Path}."));

    await host.StartAsync();
    var addresses = host.Services.GetRequiredService<HostAddresses>();
    addresses.Set(publicListener!.IPEndPoint!.Port, grpcListener!.IPEndPoint!.Port);

    var workerHost = host.Services.GetRequiredService<WorkerHost>();
    var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
    try
    {
        var functions = await workerHost.Functions.WaitAsync(lifetime.ApplicationStopping);
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DevHostOptions>>().Value;
        var url = addresses.PublicUri.ToString();
        // The ready line is the dev host's contract with people and tools (tests wait for it): printed whatever the log level.
        var kinds = string.Join(", ", functions.GroupBy(f => f.Trigger).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        Console.Out.WriteLine($"Dev host ready on {url} ({functions.Count} functions: {kinds}; host id {options.HostId})");
        Console.Out.Flush();
        foreach (var function in functions)
        {
            var trigger = function.Trigger.ToString();
            var detail = function.Trigger switch
            {
                TriggerKind.Http => $"[{(function.Methods.Count == 0 ? "ANY" : string.Join(",", function.Methods))}] {addresses.PublicUri}{(app.HostJson.RoutePrefix.Length == 0 ? string.Empty : app.HostJson.RoutePrefix + "/")}{function.Route} ({function.AuthLevel.ToString().ToLowerInvariant()})",
                TriggerKind.Timer => function.Property("schedule") ?? string.Empty,
                TriggerKind.Queue => function.Property("queueName") ?? string.Empty,
                TriggerKind.Blob => function.Property("path") ?? string.Empty,
                _ => function.TriggerBinding["type"]?.ToString() ?? string.Empty,
            };
            Log.FunctionListed(logger, trigger, function.Name, detail);
        }
    }
    catch (InvalidDataException)
    {
        await host.StopAsync();
        return 1;
    }
    catch (OperationCanceledException)
    {
        // Stopped before the worker was ready.
    }

    await host.WaitForShutdownAsync();
    return 0;
}
catch (Exception e) when (e is InvalidOperationException or IOException or Microsoft.Extensions.Options.OptionsValidationException)
{
    Log.CannotStart(logger, e.Message);
    return 1;
}
finally
{
    azurite?.Dispose();
    await host.DisposeAsync();
}

static string? Option(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static void ConfigureLogging(ILoggingBuilder logging)
{
    logging.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss ";
    });
    logging.SetMinimumLevel(LogLevel.Information);

    // Framework chatter stays out of the way; the worker's own framework categories arrive here too.
    logging.AddFilter("Microsoft", LogLevel.Warning);
    logging.AddFilter("System.Net.Http", LogLevel.Warning);
    logging.AddFilter("Grpc", LogLevel.Warning);
    logging.AddFilter("Azure", LogLevel.Warning);

    // The worker's Kestrel keeps its data-protection keys in memory, and says so at every start.
    logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
}

// The folder holding node_modules/azurite: above the worker build, the working directory or the dev host.
static string RepositoryRoot(string appDirectory)
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), appDirectory, AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "node_modules", "azurite")))
            {
                return dir.FullName;
            }
        }
    }

    return Directory.GetCurrentDirectory();
}
