using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Options;
using Recsys.DevHost.Hosting;

namespace Recsys.DevHost.Worker;

/// <summary>A worker that has loaded its functions and takes invocations.</summary>
internal sealed record ReadyWorker(WorkerChannel Channel, int ProcessId, Uri HttpUri, DateTimeOffset Since)
{
    /// <summary>Scheme, host and port of the worker's Kestrel, to which a request's path is appended.</summary>
    public string ForwardBase { get; } = HttpUri.GetLeftPart(UriPartial.Authority);
}

/// <summary>
/// Runs the worker as the Functions host does: launches <c>dotnet &lt;app&gt;.dll</c> with the host's arguments and
/// the app settings as environment, initialises it over gRPC, indexes its functions (worker indexing), loads each,
/// and restarts it with back-off whenever it dies. On shutdown it sends <c>WorkerTerminate</c> and waits for the
/// grace period before killing it.
/// </summary>
internal sealed class WorkerHost(
    WorkerApp app,
    AppSettings settings,
    HostAddresses addresses,
    WorkerRegistry registry,
    WorkerLogForwarder logs,
    IOptions<DevHostOptions> options,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory,
    ILogger<WorkerHost> logger) : BackgroundService
{
    public const string HostVersion = "4.1040.0";
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_stableRun = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource<IReadOnlyList<WorkerFunction>> _functions = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _console = loggerFactory.CreateLogger("Worker.Console");
    private TaskCompletionSource<ReadyWorker> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ReadyWorker? _current;

    /// <summary>The worker taking invocations now, or null while it (re)starts.</summary>
    public ReadyWorker? Current => _current;

    /// <summary>The functions of the app, known once the first worker has indexed them.</summary>
    public Task<IReadOnlyList<WorkerFunction>> Functions => _functions.Task;

    /// <summary>State for <c>/admin/host/status</c>.</summary>
    public string State { get; private set; } = "Initializing";

    public int Restarts { get; private set; }

    /// <summary>Waits until a worker is ready.</summary>
    public Task<ReadyWorker> WaitReadyAsync(CancellationToken cancellationToken)
        => _current is { } ready ? Task.FromResult(ready) : _ready.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken hostStopping)
    {
        // Stopping starts with ApplicationStopping, before Kestrel closes the worker's stream, so that the worker
        // still hears WorkerTerminate.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(hostStopping, lifetime.ApplicationStopping);
        var stoppingToken = stopping.Token;
        await addresses.Ready.WaitAsync(stoppingToken);
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                State = "Error";
                Log.WorkerFailed(logger, e.Message);
                if (e is InvalidDataException && !_functions.Task.IsCompleted)
                {
                    // The app itself is wrong (not a worker, broken metadata): restarting will not help.
                    _functions.TrySetException(e);
                    lifetime.StopApplication();
                    return;
                }
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            if (watch.Elapsed > s_stableRun)
            {
                backoff = TimeSpan.FromSeconds(1);
            }

            Restarts++;
            Log.WorkerRestarting(logger, backoff.TotalSeconds);
            await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
        }
    }

    private async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, logs);
        registry.Expect(channel);
        using var process = Launch(workerId);
        var watch = Stopwatch.StartNew();
        try
        {
            var exited = process.WaitForExitAsync(stoppingToken);
            var timeout = options.Value.WorkerStartTimeout;
            var first = await Task.WhenAny(channel.Connected, exited, Task.Delay(timeout, stoppingToken));
            stoppingToken.ThrowIfCancellationRequested();
            if (first != channel.Connected)
            {
                throw new WorkerUnavailableException(process.HasExited
                    ? $"the worker exited with code {process.ExitCode} before it connected"
                    : $"the worker did not connect within {timeout.TotalSeconds:0} s");
            }

            var ready = await InitializeAsync(channel, process, timeout, stoppingToken);
            var httpUri = ready.HttpUri.ToString();
            Log.WorkerReady(logger, process.Id, watch.ElapsedMilliseconds, httpUri);
            State = "Running";
            _current = ready;
            _ready.TrySetResult(ready);

            await Task.WhenAny(exited, channel.Closed);
            MarkUnavailable();
            if (!stoppingToken.IsCancellationRequested)
            {
                await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
                Log.WorkerExited(logger, process.Id, process.HasExited ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "still running, connection lost");
            }
        }
        finally
        {
            MarkUnavailable();
            State = stoppingToken.IsCancellationRequested ? "Stopped" : "Restarting";
            registry.Forget(channel);
            await StopAsync(channel, process);
            channel.Close(process.HasExited ? $"the worker exited (code {process.ExitCode})" : "the worker is stopping");
        }
    }

    /// <summary>From now on callers wait for the next worker instead of getting the one that is gone.</summary>
    private void MarkUnavailable()
    {
        if (_ready.Task.IsCompleted)
        {
            _ready = new TaskCompletionSource<ReadyWorker>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _current = null;
    }

    private async Task<ReadyWorker> InitializeAsync(WorkerChannel channel, Process process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var init = new WorkerInitRequest
        {
            HostVersion = HostVersion,
            WorkerDirectory = app.Directory,
            FunctionAppDirectory = app.Directory,
        };
        init.Capabilities.Add("HandlesWorkerTerminateMessage", "1");
        init.Capabilities.Add("HandlesInvocationCancelMessage", "1");
        var initResponse = (await channel.RequestAsync(new StreamingMessage { WorkerInitRequest = init }, timeout, cancellationToken)).WorkerInitResponse
            ?? throw new WorkerUnavailableException("the worker answered the init request with something else");
        EnsureSuccess(initResponse.Result, "initialise");
        Uri? httpUri = null;
        if (initResponse.Capabilities.TryGetValue("HttpUri", out var uri) && Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            // The worker's Kestrel listens on localhost; the loopback address spares a name lookup per connection.
            httpUri = parsed.IsLoopback && parsed.Host == "localhost" ? new UriBuilder(parsed) { Host = "127.0.0.1" }.Uri : parsed;
        }

        var metadataResponse = (await channel.RequestAsync(
            new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = app.Directory } },
            timeout,
            cancellationToken)).FunctionMetadataResponse
            ?? throw new WorkerUnavailableException("the worker answered the metadata request with something else");
        EnsureSuccess(metadataResponse.Result, "index its functions");
        if (metadataResponse.UseDefaultMetadataIndexing)
        {
            throw new InvalidDataException("The worker asks the host to index function.json files; the dev host supports worker indexing only.");
        }

        var functions = new List<WorkerFunction>();
        foreach (var metadata in metadataResponse.FunctionMetadataResults)
        {
            var function = WorkerFunction.Parse(metadata);
            if (function.Route is { } route && WorkerFunction.IsReservedRoute(route))
            {
                Log.ReservedRoute(logger, function.Name, route);
                continue;
            }

            var load = metadata.Clone();
            load.Directory = app.Directory;
            load.FunctionId = function.FunctionId;
            var loadResponse = (await channel.RequestAsync(
                new StreamingMessage { FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = load } },
                timeout,
                cancellationToken)).FunctionLoadResponse;
            if (loadResponse?.Result?.Status != StatusResult.Types.Status.Success)
            {
                Log.FunctionLoadFailed(logger, function.Name, loadResponse?.Result?.Exception?.Message ?? "no answer");
                continue;
            }

            functions.Add(function);
        }

        if (functions.Any(f => f.Trigger == TriggerKind.Http) && httpUri is null)
        {
            throw new InvalidDataException("The worker has HTTP functions but reported no HttpUri capability: call ConfigureFunctionsWebApplication() in its Program.cs.");
        }

        _functions.TrySetResult(functions);
        return new ReadyWorker(channel, process.Id, httpUri ?? new Uri("http://127.0.0.1/"), DateTimeOffset.UtcNow);
    }

    private Process Launch(string workerId)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = app.Directory,
        };
        foreach (var argument in new[]
        {
            app.AssemblyPath,
            "--functions-uri", addresses.GrpcUri.ToString(),
            "--functions-worker-id", workerId,
            "--functions-request-id", Guid.NewGuid().ToString(),
            "--functions-grpc-max-message-length", options.Value.GrpcMaxMessageLength.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        // The dev host's own listening settings must not leak into the worker's Kestrel.
        foreach (var name in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in settings.Values)
        {
            start.Environment[name] = value;
        }

        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = app.Directory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = app.Directory;
        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment.TryAdd("AZURE_FUNCTIONS_ENVIRONMENT", "Development");

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                Log.WorkerStdout(_console, e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                Log.WorkerStderr(_console, e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Log.WorkerLaunched(logger, process.Id, app.AssemblyPath);
        return process;
    }

    private async Task StopAsync(WorkerChannel channel, Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        var grace = options.Value.WorkerGracePeriod;
        if (channel.TrySend(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(grace) } }))
        {
            using var wait = new CancellationTokenSource(grace);
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static void EnsureSuccess(StatusResult? result, string what)
    {
        if (result is not null && result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidDataException($"The worker could not {what}: {result.Exception?.Message ?? result.Result}");
        }
    }
}
