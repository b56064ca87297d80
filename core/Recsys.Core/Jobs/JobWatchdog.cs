using Recsys.Core.Resources;

namespace Recsys.Core.Jobs;

/// <summary>
/// Finds jobs that no delivery will finish and fails them with the reason, so that no record stays IN_PROGRESS (or
/// PENDING) forever and no parent stays locked by it: a job whose heartbeat stopped longer ago than the abandon time
/// (its delivery died and no redelivery took it over — the message was lost or poisoned while storage was down), and
/// a job still PENDING long after it was created (its message never arrived).
/// </summary>
/// <param name="runner">The job lifecycle (its give-up).</param>
/// <param name="time">Clock.</param>
public sealed class JobWatchdog(JobRunner runner, TimeProvider time)
{
    /// <summary>Default time without a heartbeat after which an IN_PROGRESS job is failed.</summary>
    public static readonly TimeSpan DefaultAbandonAfter = TimeSpan.FromMinutes(30);

    /// <summary>How long a job may stay PENDING before it is failed as never started.</summary>
    public static readonly TimeSpan NeverStartedAfter = TimeSpan.FromHours(24);

    /// <summary>Fails the abandoned jobs of <paramref name="kind"/> in <paramref name="scopes"/>; returns their names.</summary>
    public async Task<IReadOnlyList<string>> SweepAsync<T>(JobKind<T> kind, IEnumerable<string> scopes, TimeSpan abandonAfter, CancellationToken cancellationToken = default)
        where T : class, IResource
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(scopes);
        var failed = new List<string>();
        var now = time.GetUtcNow();
        foreach (var scope in scopes)
        {
            string? token = null;
            do
            {
                var page = await kind.Store.ListAsync(scope, Paging.MaxPageSize, token, cancellationToken);
                foreach (var job in page.Items)
                {
                    if (Abandoned(job.State, now, abandonAfter) is { } reason
                        && await runner.GiveUpAsync(kind, scope, job.Name, reason, cancellationToken))
                    {
                        failed.Add(job.Name);
                    }
                }

                token = page.NextToken;
            }
            while (token is not null);
        }

        return failed;
    }

    /// <summary>Why a job in <paramref name="state"/> counts as abandoned at <paramref name="now"/>, or null when it does not.</summary>
    public static string? Abandoned(ResourceState state, DateTimeOffset now, TimeSpan abandonAfter)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Status switch
        {
            ResourceStatus.CreateInProgress when now - state.LastUpdatedDateTime > abandonAfter =>
                $"The job stopped: no heartbeat since {state.LastUpdatedDateTime:u} (the delivery running it ended and no other delivery took it over).",
            ResourceStatus.CreatePending when now - state.CreationDateTime > NeverStartedAfter =>
                $"The job never started: it was still pending {NeverStartedAfter.TotalHours:0} hours after it was created.",
            _ => null,
        };
    }
}
