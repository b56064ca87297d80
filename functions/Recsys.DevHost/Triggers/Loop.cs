using Recsys.DevHost.Hosting;
using Recsys.DevHost.Worker;

namespace Recsys.DevHost.Triggers;

internal static class Loop
{
    /// <summary>
    /// Runs one trigger's loop so that a fault it does not handle stops that loop only, with a log line, instead of
    /// stopping the whole host (the default for a failed background service).
    /// </summary>
    public static async Task GuardAsync(ILogger logger, string loop, Func<Task> run)
    {
        try
        {
            await run();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LoopStopped(logger, loop, e.Message);
        }
    }

    /// <summary>
    /// The app's functions of one trigger kind once the worker has indexed them, less those disabled by their
    /// <c>AzureWebJobs.{name}.Disabled</c> setting; none when the app never gets indexed.
    /// </summary>
    public static async Task<IReadOnlyList<WorkerFunction>> EnabledFunctionsAsync(
        WorkerHost workerHost, AppSettings settings, TriggerKind kind, ILogger logger, CancellationToken cancellationToken)
    {
        IReadOnlyList<WorkerFunction> functions;
        try
        {
            functions = await workerHost.Functions.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or OperationCanceledException)
        {
            return [];
        }

        var enabled = new List<WorkerFunction>();
        foreach (var function in functions.Where(f => f.Trigger == kind))
        {
            if (settings.IsDisabled(function.Name))
            {
                Log.FunctionDisabled(logger, function.Name);
                continue;
            }

            enabled.Add(function);
        }

        return enabled;
    }
}
