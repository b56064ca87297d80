using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recsys.Core.Errors;
using Recsys.Core.Solutions;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>retrainTimer</c> (timer, <c>%RetrainSchedule%</c>): starts one FULL, <c>AUTOMATIC</c> solution version for each
/// solution whose automatic training is due (see <see cref="AutoTraining.NotDueReason"/>). At most one per solution
/// at a time, however many instances fire together: each start happens under a blob lease on
/// <c>jobs/locks/retrain/{solution}</c>, and the holder re-reads the solution's versions before creating one, so a
/// second instance either finds the lease taken or the new version already there. Insufficient data and a version
/// already training are logged and skipped; the next occurrence tries again.
/// </summary>
internal sealed class RetrainTimerFunction(SolutionService solutions, StorageClients storage, ILogger<RetrainTimerFunction> logger)
{
    private static readonly TimeSpan s_leaseDuration = TimeSpan.FromSeconds(60);

    [Function("retrainTimer")]
    public async Task RunAsync([TimerTrigger("%RetrainSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        foreach (var solution in await solutions.AllAsync(cancellationToken))
        {
            if (!solution.PerformAutoTraining)
            {
                continue;
            }

            try
            {
                // A cheap look first; the answer that counts is the one read under the lease.
                if (await solutions.AutomaticTrainingNotDueAsync(solution.Name, cancellationToken) is not null)
                {
                    continue;
                }

                var outcome = await StartIfDueAsync(solution.Name, cancellationToken);
                if (outcome.VersionArn is { } arn)
                {
                    Log.RetrainStarted(logger, arn);
                }
                else
                {
                    Log.RetrainSkipped(logger, solution.Name, outcome.Reason ?? string.Empty);
                }
            }
            catch (RecsysException e)
            {
                Log.RetrainSkipped(logger, solution.Name, e.Message);
            }
        }
    }

    private async Task<(string? VersionArn, string? Reason)> StartIfDueAsync(string solution, CancellationToken cancellationToken)
    {
        var container = storage.Container(StorageNames.JobsContainer);
        var lockBlob = container.GetBlobClient($"locks/retrain/{solution}");
        try
        {
            await lockBlob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Exists already (possibly leased by another instance).
        }

        var lease = lockBlob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(s_leaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return (null, "another instance is starting its training");
        }

        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = RenewAsync(lease, renewing.Token);
        try
        {
            if (await solutions.AutomaticTrainingNotDueAsync(solution, cancellationToken) is { } reason)
            {
                return (null, reason);
            }

            var version = await solutions.CreateVersionAsync(solution, "FULL", automatic: true, cancellationToken);
            return (version.Value.Arn, null);
        }
        catch (InvalidInputException e)
        {
            return (null, e.Message);
        }
        catch (ResourceInUseException e)
        {
            return (null, e.Message);
        }
        finally
        {
            await renewing.CancelAsync();
            await renewal;
            try
            {
                await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
            }
            catch (RequestFailedException)
            {
                // Lost or expired: the version (if any) is created, and the lease runs out by itself.
            }
        }
    }

    private static async Task RenewAsync(BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(s_leaseDuration / 3, cancellationToken);
                await lease.RenewAsync(cancellationToken: cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (RequestFailedException)
        {
        }
    }
}
