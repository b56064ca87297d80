using Recsys.Core.Errors;
using Recsys.Core.Resources;

namespace Recsys.Core.Jobs;

/// <summary>Where one kind of job keeps its records and how its lifecycle state is written.</summary>
/// <typeparam name="T">The job's record.</typeparam>
/// <param name="DisplayName">The kind as people read it, e.g. <c>dataset import job</c>.</param>
/// <param name="Store">The records.</param>
/// <param name="WithState">The record with another lifecycle state.</param>
public sealed record JobKind<T>(string DisplayName, IResourceStore<T> Store, Func<T, ResourceState, T> WithState)
    where T : class, IResource;

/// <summary>What the queue says about one delivery of a job's message.</summary>
/// <param name="Count">How many times the message has been delivered, this one included.</param>
/// <param name="IsLast">Whether the host moves the message to the poison queue if this delivery fails.</param>
/// <param name="Phase">Receives one line per phase of the work (for the log), or null.</param>
/// <param name="MaxAttempts">
/// How many deliveries may start the work (the first and each take-over from a delivery that died) before the job is
/// failed instead: a job whose process dies every time (out of memory, say) ends with that reason rather than being
/// taken over for ever.
/// </param>
public sealed record JobDelivery(int Count, bool IsLast, Action<string>? Phase = null, int MaxAttempts = JobDelivery.DefaultMaxAttempts)
{
    /// <summary>The Functions host's default <c>maxDequeueCount</c>.</summary>
    public const int DefaultMaxAttempts = 5;

    /// <summary>A single delivery that is also the last (tools, tests).</summary>
    public static JobDelivery Once { get; } = new(1, true);
}

/// <summary>How a delivery ended.</summary>
public enum JobRunResult
{
    /// <summary>The work ran; the record is terminal (ACTIVE or failed) — or the work failed in a way worth a retry, which is thrown instead.</summary>
    Ran,

    /// <summary>The job had already ended (a repeated message); nothing was done.</summary>
    AlreadyEnded,

    /// <summary>Another delivery is running the job now (its heartbeat is fresh); try this message again later.</summary>
    Busy,

    /// <summary>The job's record does not exist (deleted since); nothing was done.</summary>
    NotFound,

    /// <summary>Another delivery took the job over while this one ran (its record changed under it); this one stopped.</summary>
    Superseded,
}

/// <summary>The result of a delivery and the job's record as it ended.</summary>
/// <param name="Result">How the delivery ended.</param>
/// <param name="Record">The record as last read or written, or null when there is none.</param>
public sealed record JobOutcome<T>(JobRunResult Result, T? Record)
    where T : class, IResource;

/// <summary>
/// What the work of one job sees: its record, with progress and the terminal updates. Progress written here is the
/// job's heartbeat: the runner writes the latest at least every <see cref="JobRunner.HeartbeatInterval"/>, so a record
/// whose <c>lastUpdatedDateTime</c> is older than the <see cref="JobRunner.Lease"/> belongs to a delivery that stopped.
/// </summary>
public sealed class JobContext<T>
    where T : class, IResource
{
    private readonly TrackedResource<T> _record;
    private readonly JobKind<T> _kind;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Func<T, T>? _progress;

    internal JobContext(TrackedResource<T> record, JobKind<T> kind, TimeProvider time, JobDelivery delivery)
    {
        _record = record;
        _kind = kind;
        _time = time;
        Delivery = delivery;
    }

    /// <summary>The record as last written.</summary>
    public T Current => _record.Current;

    /// <summary>The delivery running the job.</summary>
    public JobDelivery Delivery { get; }

    /// <summary>
    /// Notes progress (absolute values: rows read so far, the phase now); the heartbeat writes the latest soon, and
    /// the caller does not wait. Each call replaces the change noted before it.
    /// </summary>
    public void Progress(Func<T, T> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            _progress = change;
        }
    }

    /// <summary>Writes a change now (a phase change worth recording at once).</summary>
    public Task<T> UpdateAsync(Func<T, T> change, CancellationToken cancellationToken) => _record.UpdateAsync(change, cancellationToken);

    /// <summary>Reports a phase for the log.</summary>
    public void Phase(string line) => Delivery.Phase?.Invoke(line);

    /// <summary>Ends the job ACTIVE with <paramref name="change"/>.</summary>
    public Task<T> CompleteAsync(Func<T, T> change, CancellationToken cancellationToken)
        => _record.UpdateAsync(r => Move(change(Pending(r)), ResourceStatus.Active, null), cancellationToken);

    /// <summary>Ends the job failed with <paramref name="reason"/> (and <paramref name="change"/>, e.g. the counts so far).</summary>
    public Task<T> FailAsync(string reason, CancellationToken cancellationToken, Func<T, T>? change = null)
        => _record.UpdateAsync(r => Move((change ?? (x => x))(Pending(r)), ResourceStatus.CreateFailed, reason), cancellationToken);

    internal T Move(T record, string status, string? reason)
        => _kind.WithState(record, record.State.MoveTo(_kind.DisplayName, record.Name, status, _time.GetUtcNow(), reason));

    // Progress noted but not written yet, applied to what is written next.
    internal T Pending(T record)
    {
        Func<T, T>? progress;
        lock (_gate)
        {
            progress = _progress;
            _progress = null;
        }

        return progress is null ? record : progress(record);
    }
}

/// <summary>
/// The one lifecycle of every queue-run job (imports, training, batch and data jobs), so that each keeps only its own
/// work: a finished job is skipped; a job another delivery runs now (fresh heartbeat) is left to it; otherwise the
/// record moves to IN_PROGRESS (or is taken over from a delivery that stopped), a heartbeat writes progress while the
/// work runs, and the work ends the record ACTIVE or failed. A <see cref="RecsysException"/> means the job cannot
/// succeed (bad data, a missing dataset): it fails at once. Any other failure (a storage outage, a crash) is thrown
/// for the queue to deliver again — except on the last delivery, where the job fails with that error as its reason,
/// so that no record is left IN_PROGRESS when its message is gone.
/// </summary>
/// <param name="time">Clock.</param>
/// <param name="lease">
/// How long a running job's record may go without a heartbeat before another delivery takes it over (default
/// <see cref="DefaultLease"/>); the heartbeat beats four times per lease.
/// </param>
public sealed class JobRunner(TimeProvider time, TimeSpan? lease = null)
{
    /// <summary>The default lease: a minute, a dozen missed beats of a job whose storage hiccups before it is taken over.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(60);

    /// <summary>How long a running job's record may go without a heartbeat before another delivery takes it over.</summary>
    public TimeSpan Lease { get; } = lease ?? DefaultLease;

    /// <summary>How often a running job's record is written (its heartbeat and progress).</summary>
    public TimeSpan HeartbeatInterval => Lease / 4;

    /// <summary>Whether a job in <paramref name="state"/> has stopped sending heartbeats (its delivery is gone) at <paramref name="now"/>.</summary>
    public bool IsStale(ResourceState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Status == ResourceStatus.CreateInProgress && now - state.LastUpdatedDateTime > Lease;
    }

    /// <summary>Runs one delivery of the job <paramref name="name"/> in <paramref name="scope"/> through its lifecycle.</summary>
    /// <param name="kind">The job's kind.</param>
    /// <param name="scope">The record's scope.</param>
    /// <param name="name">The record's name.</param>
    /// <param name="delivery">The delivery.</param>
    /// <param name="work">The job's own work: ends with <see cref="JobContext{T}.CompleteAsync"/> or <see cref="JobContext{T}.FailAsync"/>.</param>
    /// <param name="permanent">Failures other than <see cref="RecsysException"/> that no retry can mend, or null.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public async Task<JobOutcome<T>> RunAsync<T>(
        JobKind<T> kind,
        string scope,
        string name,
        JobDelivery delivery,
        Func<JobContext<T>, CancellationToken, Task<T>> work,
        Func<Exception, bool>? permanent = null,
        CancellationToken cancellationToken = default)
        where T : class, IResource
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(work);
        var stored = await kind.Store.FindAsync(scope, name, cancellationToken);
        if (stored is null)
        {
            return new(JobRunResult.NotFound, null);
        }

        var status = stored.Value.State.Status;
        if (ResourceStatus.IsTerminal(status) || status == ResourceStatus.DeletePending)
        {
            return new(JobRunResult.AlreadyEnded, stored.Value);
        }

        if (status == ResourceStatus.CreateInProgress && !IsStale(stored.Value.State, time.GetUtcNow()))
        {
            return new(JobRunResult.Busy, stored.Value);
        }

        using var record = new TrackedResource<T>(kind.Store, scope, stored, r => kind.WithState(r, r.State with { LastUpdatedDateTime = time.GetUtcNow() }));
        var context = new JobContext<T>(record, kind, time, delivery);
        var attempts = stored.Value.State.Attempts;
        try
        {
            if (attempts >= delivery.MaxAttempts)
            {
                var reason = $"The {kind.DisplayName} was started {attempts} times and each time the process running it stopped before it finished (a crash, or more memory than the instance has); it was not started again.";
                context.Phase("gave up: " + reason);
                return new(JobRunResult.Ran, await context.FailAsync(reason, cancellationToken));
            }

            // Pending → IN_PROGRESS; a stale IN_PROGRESS is taken over by writing it (its ETag moves on, so the
            // stopped delivery, should it wake up, loses the record instead of racing this one).
            await record.UpdateAsync(
                r =>
                {
                    var started = r.State.Status == ResourceStatus.CreatePending ? context.Move(r, ResourceStatus.CreateInProgress, null) : r;
                    return kind.WithState(started, started.State with { Attempts = attempts + 1 });
                },
                cancellationToken);
            context.Phase(status == ResourceStatus.CreatePending
                ? $"started (delivery {delivery.Count})"
                : $"taken over from a delivery that stopped at {stored.Value.State.LastUpdatedDateTime:u} (attempt {attempts + 1}, delivery {delivery.Count})");
        }
        catch (PreconditionFailedException)
        {
            return new(JobRunResult.Busy, stored.Value); // another delivery took it first
        }

        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = HeartbeatAsync(record, context, running);
        try
        {
            var ended = await work(context, running.Token);
            return new(JobRunResult.Ran, ended);
        }
        catch (OperationCanceledException) when (heartbeat.IsCompletedSuccessfully && heartbeat.Result == HeartbeatEnd.Superseded)
        {
            return new(JobRunResult.Superseded, record.Current);
        }
        catch (Exception e) when (e is RecsysException || (permanent?.Invoke(e) ?? false))
        {
            context.Phase("failed: " + e.Message);
            return new(JobRunResult.Ran, await context.FailAsync(e.Message, CancellationToken.None));
        }
        catch (Exception e) when (delivery.IsLast && e is not OperationCanceledException)
        {
            var reason = $"The {kind.DisplayName} failed on each of its {delivery.Count} deliveries; the last error: {e.Message}";
            context.Phase("gave up: " + reason);
            return new(JobRunResult.Ran, await context.FailAsync(reason, CancellationToken.None));
        }
        finally
        {
            await running.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>
    /// Marks the job failed with <paramref name="reason"/> unless it has ended: for a message moved to the poison queue,
    /// or a job found abandoned. Returns whether it changed the record.
    /// </summary>
    public async Task<bool> GiveUpAsync<T>(JobKind<T> kind, string scope, string name, string reason, CancellationToken cancellationToken = default)
        where T : class, IResource
    {
        ArgumentNullException.ThrowIfNull(kind);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var stored = await kind.Store.FindAsync(scope, name, cancellationToken);
            if (stored is null || ResourceStatus.IsTerminal(stored.Value.State.Status) || stored.Value.State.Status == ResourceStatus.DeletePending)
            {
                return false;
            }

            var failed = kind.WithState(stored.Value, stored.Value.State.MoveTo(kind.DisplayName, name, ResourceStatus.CreateFailed, time.GetUtcNow(), reason));
            try
            {
                await kind.Store.ReplaceAsync(scope, name, failed, stored.ETag, cancellationToken);
                return true;
            }
            catch (PreconditionFailedException)
            {
                // A heartbeat moved it meanwhile: read again.
            }
        }

        return false;
    }

    private enum HeartbeatEnd
    {
        Stopped,
        Superseded,
    }

    // Writes pending progress (or just the update time) every interval until the work ends. A transient storage
    // fault skips a beat; losing the record to another delivery (412) cancels the work.
    private async Task<HeartbeatEnd> HeartbeatAsync<T>(TrackedResource<T> record, JobContext<T> context, CancellationTokenSource running)
        where T : class, IResource
    {
        while (!running.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(HeartbeatInterval, time, running.Token);
                await record.UpdateAsync(context.Pending, running.Token);
            }
            catch (OperationCanceledException)
            {
                return HeartbeatEnd.Stopped;
            }
            catch (PreconditionFailedException)
            {
                await running.CancelAsync();
                return HeartbeatEnd.Superseded;
            }
            catch (Exception e) when (e is not RecsysException)
            {
                // Storage unreachable for a beat: the next beat tries again; the lease covers several missed beats.
            }
        }

        return HeartbeatEnd.Stopped;
    }
}
