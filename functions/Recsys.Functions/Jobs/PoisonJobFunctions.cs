using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recsys.Core.BatchJobs;
using Recsys.Core.DataLifecycle;
using Recsys.Core.DatasetImports;
using Recsys.Core.Jobs;
using Recsys.Core.Solutions;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// The poison queues' functions. The host moves a message to <c>{queue}-poison</c> after its last delivery failed —
/// and also, without calling the job at all, when every delivery died with the worker (a crash, an out-of-memory
/// kill, a scale-in). Whoever moves a message to poison must leave its job in a terminal state, so each poison
/// message marks its job failed with the reason; a job that already ended (its last delivery gave up with the real
/// error) is left as it is.
/// </summary>
internal sealed class PoisonJobFunctions(
    DatasetImportRunner imports,
    TrainingRunner training,
    BatchJobRunner batches,
    DataJobRunner dataJobs,
    QueueHostSettings queues,
    ILogger<PoisonJobFunctions> logger)
{
    [Function("importJobPoison")]
    public async Task ImportAsync([QueueTrigger(StorageNames.ImportJobsQueue + "-poison")] string message, CancellationToken cancellationToken)
    {
        if (Parse(message, JobMessageJson.Default.ImportJobMessage, StorageNames.ImportJobsQueue) is { } job)
        {
            await imports.GiveUpAsync(job, Reason("import"), cancellationToken);
            Log.JobPoisoned(logger, "import", job.Job ?? job.Blob);
        }
    }

    [Function("trainingJobPoison")]
    public async Task TrainingAsync([QueueTrigger(StorageNames.TrainingJobsQueue + "-poison")] string message, CancellationToken cancellationToken)
    {
        if (Parse(message, JobMessageJson.Default.TrainingJobMessage, StorageNames.TrainingJobsQueue) is { } job)
        {
            await training.GiveUpAsync(job.Solution, job.Version, Reason("training"), cancellationToken);
            Log.JobPoisoned(logger, "training", job.Solution + "/" + job.Version);
        }
    }

    [Function("batchJobPoison")]
    public async Task BatchAsync([QueueTrigger(StorageNames.BatchJobsQueue + "-poison")] string message, CancellationToken cancellationToken)
    {
        if (Parse(message, JobMessageJson.Default.BatchJobMessage, StorageNames.BatchJobsQueue) is { } job && BatchJobMessage.Kinds.Contains(job.Kind))
        {
            await BatchJobFunction.GiveUpAsync(batches, dataJobs, job, Reason(job.Kind + " job"), cancellationToken);
            Log.JobPoisoned(logger, job.Kind, job.Job);
        }
    }

    private string Reason(string kind)
        => $"The {kind} did not finish in {queues.MaxDequeueCount} deliveries (the worker running it stopped or failed each time); its message was moved to the poison queue.";

    private T? Parse<T>(string message, JsonTypeInfo<T> json, string queue)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(message, json);
        }
        catch (JsonException e)
        {
            // Nothing to mark: the message never named a job. Say what it was, once, and let it go.
            Log.UnreadablePoisonMessage(logger, queue, e.Message);
            return null;
        }
    }
}
