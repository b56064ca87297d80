using Microsoft.Azure.Functions.Worker;
using Recsys.Core.Jobs;
using Recsys.Core.Solutions;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary><c>trainingJob</c> (queue trigger on training-jobs): trains one solution version per message (see <see cref="TrainingRunner"/>).</summary>
internal sealed class TrainingJobFunction(TrainingRunner runner, IJobScheduler scheduler, JobDeliveries deliveries)
{
    [Function("trainingJob")]
    public Task RunAsync([QueueTrigger(StorageNames.TrainingJobsQueue)] TrainingJobMessage message, FunctionContext context, CancellationToken cancellationToken)
        => deliveries.RunAsync(
            context, "training", message.Solution + "/" + message.Version,
            delivery => runner.RunAsync(message.Solution, message.Version, delivery, cancellationToken),
            delay => scheduler.SendAsync(message, delay, cancellationToken),
            version => $"phase {version.Phase}{ImportJobFunction.Reason(version.State.FailureReason)}");
}
