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
}
