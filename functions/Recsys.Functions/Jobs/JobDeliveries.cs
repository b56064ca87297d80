using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;

namespace Recsys.Functions.Jobs;

/// <summary>
/// The functions' side of the job seam: turns a queue delivery into a <see cref="JobDelivery"/> (its count, whether
/// the host poisons the message if it fails, a log line per phase), runs the job through its runner, and handles how
/// the delivery ended — a job another delivery runs now is put back on its queue for later instead of failing the
/// invocation, and the outcome is logged once.
/// </summary>
internal sealed class JobDeliveries(QueueHostSettings queues, JobRunner runner, ILogger<JobDeliveries> logger)
{
    /// <summary>Runs one delivery of the job <paramref name="job"/> of <paramref name="kind"/>.</summary>
    /// <param name="context">The invocation (its dequeue count).</param>
    /// <param name="kind">The job kind, for the log.</param>
    /// <param name="job">The job's name, for the log.</param>
    /// <param name="run">Runs the delivery through the kind's runner.</param>
    /// <param name="requeue">Sends the message again, visible after the given delay.</param>
    /// <param name="describe">A one-line summary of the record as it ended, for the log.</param>
    public async Task RunAsync<T>(
        FunctionContext context,
        string kind,
        string job,
        Func<JobDelivery, Task<JobOutcome<T>>> run,
        Func<TimeSpan, Task> requeue,
        Func<T, string> describe)
        where T : class, IResource
    {
        var count = DequeueCount(context);
        var delivery = new JobDelivery(count, queues.IsLastDelivery(count), line => Log.JobPhase(logger, kind, job, line), queues.MaxDequeueCount);
        var outcome = await run(delivery);
        switch (outcome.Result)
        {
            case JobRunResult.Busy:
                // Another delivery holds a fresh heartbeat: look again once its lease would have run out.
                await requeue(runner.Lease);
                Log.JobBusy(logger, kind, job, count, runner.Lease.TotalSeconds);
                break;
            case JobRunResult.Ran:
                if (logger.IsEnabled(LogLevel.Information))
                {
                    var summary = describe(outcome.Record!);
                    Log.JobEnded(logger, kind, job, outcome.Record!.State.Status, summary, count);
                }

                break;
            default:
                Log.JobSkipped(logger, kind, job, outcome.Result, count);
                break;
        }
    }

    /// <summary>How many times the message has been delivered, this delivery included (1 when the host does not say).</summary>
    public static int DequeueCount(FunctionContext context)
    {
        if (!context.BindingContext.BindingData.TryGetValue("DequeueCount", out var value) || value is null)
        {
            return 1;
        }

        return value switch
        {
            int i => i,
            long l => (int)l,
            JsonElement { ValueKind: JsonValueKind.Number } n => n.GetInt32(),
            _ => int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture)?.Trim('"'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : 1,
        };
    }
}
