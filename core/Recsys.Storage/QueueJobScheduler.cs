using Recsys.Core.Jobs;

namespace Recsys.Storage;

/// <summary>The job queues in Queue Storage: each message kind as its source-generated JSON on its own queue.</summary>
public sealed class QueueJobScheduler(StorageClients storage) : IJobScheduler
{
    /// <inheritdoc />
    public Task SendAsync(ImportJobMessage message, TimeSpan? delay = null, CancellationToken cancellationToken = default)
        => SendAsync(StorageNames.ImportJobsQueue, BinaryData.FromObjectAsJson(message, JobMessageJson.Default.ImportJobMessage), delay, cancellationToken);

    /// <inheritdoc />
    public Task SendAsync(TrainingJobMessage message, TimeSpan? delay = null, CancellationToken cancellationToken = default)
        => SendAsync(StorageNames.TrainingJobsQueue, BinaryData.FromObjectAsJson(message, JobMessageJson.Default.TrainingJobMessage), delay, cancellationToken);

    /// <inheritdoc />
    public Task SendAsync(BatchJobMessage message, TimeSpan? delay = null, CancellationToken cancellationToken = default)
        => SendAsync(StorageNames.BatchJobsQueue, BinaryData.FromObjectAsJson(message, JobMessageJson.Default.BatchJobMessage), delay, cancellationToken);

    private async Task SendAsync(string queue, BinaryData message, TimeSpan? delay, CancellationToken cancellationToken)
        => await storage.Queue(queue).SendMessageAsync(message, visibilityTimeout: delay, cancellationToken: cancellationToken);
}
