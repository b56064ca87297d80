using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recsys.Core.BatchJobs;
using Recsys.Core.DataLifecycle;
using Recsys.Core.DatasetImports;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;
using Recsys.Core.Solutions;
using Recsys.Functions.Composition;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>jobWatchdogTimer</c> (timer, <c>%JobWatchdogSchedule%</c>): fails every job that no delivery will finish — its
/// heartbeat stopped longer than <see cref="JobOptions.AbandonAfterMinutes"/> ago, or it never started — with the
/// reason (see <see cref="JobWatchdog"/>), so that no solution stays locked by a version "in training" forever.
/// </summary>
internal sealed class JobWatchdogTimerFunction(
    JobWatchdog watchdog,
    DatasetImportRunner imports,
    TrainingRunner training,
    SolutionService solutions,
    BatchJobRunner batches,
    DataJobRunner dataJobs,
    IOptions<JobOptions> options,
    ILogger<JobWatchdogTimerFunction> logger)
{
    [Function("jobWatchdogTimer")]
    public async Task RunAsync([TimerTrigger("%JobWatchdogSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var after = TimeSpan.FromMinutes(options.Value.AbandonAfterMinutes);
        var solutionNames = (await solutions.AllAsync(cancellationToken)).Select(s => s.Name).ToList();
        Report("import", await watchdog.SweepAsync(imports.Kind, [IResourceStore<DatasetImportJob>.GlobalScope], after, cancellationToken));
        Report("training", await watchdog.SweepAsync(training.Kind, solutionNames, after, cancellationToken));
        Report(BatchJobMessage.Inference, await watchdog.SweepAsync(batches.Kind(BatchJobKind.Inference), [BatchJobService.Scope(BatchJobKind.Inference)], after, cancellationToken));
        Report(BatchJobMessage.Segment, await watchdog.SweepAsync(batches.Kind(BatchJobKind.Segment), [BatchJobService.Scope(BatchJobKind.Segment)], after, cancellationToken));
        Report(BatchJobMessage.Export, await watchdog.SweepAsync(dataJobs.ExportKind, [DataJobService.ExportKind], after, cancellationToken));
        Report(BatchJobMessage.Deletion, await watchdog.SweepAsync(dataJobs.DeletionKind, [DataJobService.DeletionKind], after, cancellationToken));
    }

    private void Report(string kind, IReadOnlyList<string> failed)
    {
        foreach (var job in failed)
        {
            Log.JobAbandoned(logger, kind, job);
        }
    }
}
