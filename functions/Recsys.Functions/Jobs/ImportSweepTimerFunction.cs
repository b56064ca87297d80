using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>importSweepTimer</c> (timer, <c>%ImportSweepSchedule%</c>): the safety net behind Event Grid. Every blob version
/// in the imports container that was never queued (a file dropped before the subscription existed, a dead-lettered
/// event) is queued for import now, so no dropped file is silently missed.
/// </summary>
internal sealed class ImportSweepTimerFunction(ImportDropDispatcher drops, ILogger<ImportSweepTimerFunction> logger)
{
    [Function("importSweepTimer")]
    public async Task RunAsync([TimerTrigger("%ImportSweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var queued = await drops.SweepAsync(cancellationToken);
        Log.ImportSweep(logger, queued, timer.IsPastDue ? " (past due)" : string.Empty);
    }
}
