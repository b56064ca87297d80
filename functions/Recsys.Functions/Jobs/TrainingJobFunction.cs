using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recsys.Core.Jobs;
using Recsys.Core.Solutions;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>trainingJob</c> (queue trigger on training-jobs): trains one solution version per message. On the last delivery
/// a failure marks the version CREATE FAILED with the error before the host moves the message to the poison queue.
/// </summary>
internal sealed class TrainingJobFunction(TrainingRunner runner, QueueHostSettings queues, ILogger<TrainingJobFunction> logger)
{
    [Function("trainingJob")]
    public async Task RunAsync([QueueTrigger(StorageNames.TrainingJobsQueue)] TrainingJobMessage message, FunctionContext context, CancellationToken cancellationToken)
    {
        var delivery = Delivery.DequeueCount(context);
        var last = queues.IsLastDelivery(delivery);
        SolutionVersion trained;
        try
        {
            trained = await runner.RunAsync(message.Solution, message.Version, last, cancellationToken);
        }
        catch (Exception e) when (last && e is not OperationCanceledException)
        {
            await runner.GiveUpAsync(message.Solution, message.Version, $"Training failed {delivery} times; last error: {e.Message}", CancellationToken.None);
            throw;
        }

        Log.TrainingEnded(logger, trained.Arn, trained.State.Status, trained.Phase, delivery, trained.State.FailureReason ?? string.Empty);
    }
}
