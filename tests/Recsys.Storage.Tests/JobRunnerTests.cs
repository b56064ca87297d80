using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using Recsys.Core.Errors;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;
using Recsys.Testing;

namespace Recsys.Storage.Tests;

/// <summary>
/// The one job lifecycle (<see cref="JobRunner"/>) and the watchdog, on job records in Table Storage (Azurite), with
/// a fake clock driving the heartbeat and the lease.
/// </summary>
public sealed class JobRunnerTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Scope = "jobs";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private async Task<JobKind<Widget>> NewKindAsync()
    {
        var table = new TableClient(azurite.ConnectionString, "jobs" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        return new JobKind<Widget>("widget job", new TableResourceStore<Widget>(table, WidgetJson.Default.Widget, "widget job"), (w, s) => w with { State = s });
    }

    private async Task<Widget> AddAsync(JobKind<Widget> kind, string name, string status, TimeSpan? updatedAgo = null, TimeSpan? createdAgo = null)
    {
        var now = _time.GetUtcNow();
        var widget = new Widget(name, new ResourceState(status, null, now - (createdAgo ?? TimeSpan.Zero), now - (updatedAgo ?? TimeSpan.Zero)));
        return (await kind.Store.CreateAsync(Scope, name, widget)).Value;
    }

    private static async Task<Widget> ReadAsync(JobKind<Widget> kind, string name) => (await kind.Store.FindAsync(Scope, name))!.Value;

    [Fact]
    public async Task A_pending_job_runs_in_progress_and_ends_active()
    {
        var kind = await NewKindAsync();
        await AddAsync(kind, "j", ResourceStatus.CreatePending);
        var runner = new JobRunner(_time);
        string? statusDuringWork = null;
        var phases = new List<string>();

        var outcome = await runner.RunAsync(kind, Scope, "j", new JobDelivery(1, false, phases.Add), async (job, ct) =>
        {
            statusDuringWork = (await ReadAsync(kind, "j")).State.Status;
            return await job.CompleteAsync(w => w with { Payload = "done" }, ct);
        });

        Assert.Equal(JobRunResult.Ran, outcome.Result);
        Assert.Equal(ResourceStatus.CreateInProgress, statusDuringWork);
        var stored = await ReadAsync(kind, "j");
        Assert.Equal(ResourceStatus.Active, stored.State.Status);
        Assert.Equal("done", stored.Payload);
        Assert.Contains(phases, p => p.StartsWith("started", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ResourceStatus.Active)]
    [InlineData(ResourceStatus.CreateFailed)]
    [InlineData(ResourceStatus.DeletePending)]
    public async Task A_job_that_ended_is_not_run_again(string status)
    {
        var kind = await NewKindAsync();
        await AddAsync(kind, "j", status);

        var outcome = await new JobRunner(_time).RunAsync<Widget>(kind, Scope, "j", JobDelivery.Once, (_, _) => throw new InvalidOperationException("must not run"));

        Assert.Equal(JobRunResult.AlreadyEnded, outcome.Result);
        Assert.Equal(status, (await ReadAsync(kind, "j")).State.Status);
    }

    [Fact]
    public async Task A_message_for_a_job_that_is_gone_does_nothing()
    {
        var kind = await NewKindAsync();

        var outcome = await new JobRunner(_time).RunAsync<Widget>(kind, Scope, "nobody", JobDelivery.Once, (_, _) => throw new InvalidOperationException("must not run"));

        Assert.Equal(JobRunResult.NotFound, outcome.Result);
    }

    [Fact]
    public async Task A_job_with_a_fresh_heartbeat_is_left_to_its_delivery_and_a_stale_one_is_taken_over()
    {
        var kind = await NewKindAsync();
        await AddAsync(kind, "fresh", ResourceStatus.CreateInProgress, updatedAgo: TimeSpan.FromSeconds(10));
        await AddAsync(kind, "stale", ResourceStatus.CreateInProgress, updatedAgo: JobRunner.DefaultLease + TimeSpan.FromSeconds(1));
        var runner = new JobRunner(_time);
        var phases = new List<string>();

        var busy = await runner.RunAsync<Widget>(kind, Scope, "fresh", JobDelivery.Once, (_, _) => throw new InvalidOperationException("must not run"));
        var taken = await runner.RunAsync(kind, Scope, "stale", new JobDelivery(2, false, phases.Add), (job, ct) => job.CompleteAsync(w => w, ct));

        Assert.Equal(JobRunResult.Busy, busy.Result);
        Assert.Equal(ResourceStatus.CreateInProgress, (await ReadAsync(kind, "fresh")).State.Status);
        Assert.Equal(JobRunResult.Ran, taken.Result);
        Assert.Equal(ResourceStatus.Active, (await ReadAsync(kind, "stale")).State.Status);
        Assert.Contains(phases, p => p.StartsWith("taken over", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_domain_error_fails_the_job_at_once_with_its_message()
    {
        var kind = await NewKindAsync();
        await AddAsync(kind, "j", ResourceStatus.CreatePending);

        var outcome = await new JobRunner(_time).RunAsync<Widget>(kind, Scope, "j", new JobDelivery(1, false), (_, _) => throw new InvalidInputException("file", "The file has no USER_ID column."));

        Assert.Equal(JobRunResult.Ran, outcome.Result);
        var stored = await ReadAsync(kind, "j");
        Assert.Equal(ResourceStatus.CreateFailed, stored.State.Status);
        Assert.Equal("The file has no USER_ID column.", stored.State.FailureReason);
    }

    [Fact]
    public async Task A_transient_error_is_thrown_for_a_retry_and_fails_the_job_only_on_the_last_delivery()
    {
        var kind = await NewKindAsync();
        await AddAsync(kind, "j", ResourceStatus.CreatePending);
        var runner = new JobRunner(_time);
        static Task<Widget> Outage(JobContext<Widget> job, CancellationToken ct) => throw new StorageUnavailableException("table storage");

        await Assert.ThrowsAsync<StorageUnavailableException>(() => runner.RunAsync(kind, Scope, "j", new JobDelivery(1, false), Outage));
        Assert.Equal(ResourceStatus.CreateInProgress, (await ReadAsync(kind, "j")).State.Status);

        _time.Advance(JobRunner.DefaultLease + TimeSpan.FromSeconds(1)); // the first delivery's heartbeat is stale: the redelivery takes over
        var last = await runner.RunAsync(kind, Scope, "j", new JobDelivery(5, true), Outage);

        Assert.Equal(JobRunResult.Ran, last.Result);
        var stored = await ReadAsync(kind, "j");
        Assert.Equal(ResourceStatus.CreateFailed, stored.State.Status);
        Assert.Contains("each of its 5 deliveries", stored.State.FailureReason, StringComparison.Ordinal);
        Assert.Contains("storage", stored.State.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kind_can_name_other_errors_that_no_retry_mends()
    {
        var kind = await NewKindAsync();
        await AddAsync(kind, "j", ResourceStatus.CreatePending);

        var outcome = await new JobRunner(_time).RunAsync<Widget>(
            kind, Scope, "j", new JobDelivery(1, false), (_, _) => throw new ArgumentException("Too few items to train."), e => e is ArgumentException);

        Assert.Equal(JobRunResult.Ran, outcome.Result);
        Assert.Equal("Too few items to train.", (await ReadAsync(kind, "j")).State.FailureReason);
    }

    [Fact]
    public async Task The_heartbeat_writes_the_latest_progress_while_the_work_runs()
    {
        var kind = await NewKindAsync();
        await AddAsync(kind, "j", ResourceStatus.CreatePending);
        var release = new TaskCompletionSource();
        var run = new JobRunner(_time).RunAsync(kind, Scope, "j", new JobDelivery(1, false), async (job, ct) =>
        {
            job.Progress(w => w with { Payload = "1000 rows" });
            job.Progress(w => w with { Payload = "2000 rows" });
            await release.Task;
            return await job.CompleteAsync(w => w, ct);
        });

        await Eventually.HoldsAsync(async () => (await ReadAsync(kind, "j")).State.Status == ResourceStatus.CreateInProgress, "the job started");
        var before = await ReadAsync(kind, "j");
        await Eventually.HoldsAsync(async () =>
        {
            _time.Advance(JobRunner.DefaultLease / 4);
            return (await ReadAsync(kind, "j")).Payload == "2000 rows";
        }, "the heartbeat wrote the latest progress");
        var during = await ReadAsync(kind, "j");
        release.SetResult();
        await run;

        Assert.True(during.State.LastUpdatedDateTime > before.State.LastUpdatedDateTime);
        Assert.Equal(ResourceStatus.CreateInProgress, during.State.Status);
    }

    [Fact]
    public async Task A_delivery_whose_job_was_taken_over_stops_and_leaves_the_record_to_the_new_owner()
    {
        var kind = await NewKindAsync();
        await AddAsync(kind, "j", ResourceStatus.CreatePending);
        var run = new JobRunner(_time).RunAsync<Widget>(kind, Scope, "j", new JobDelivery(1, false), async (job, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return job.Current;
        });
        await Eventually.HoldsAsync(async () => (await ReadAsync(kind, "j")).State.Status == ResourceStatus.CreateInProgress, "the job started");

        var stored = (await kind.Store.FindAsync(Scope, "j"))!;
        await kind.Store.ReplaceAsync(Scope, "j", stored.Value with { Payload = "another delivery" }, stored.ETag);
        var outcome = await Eventually.ResultAsync(() =>
        {
            _time.Advance(JobRunner.DefaultLease / 4);
            return run.IsCompleted ? run : null;
        }, "the superseded delivery stopped");

        Assert.Equal(JobRunResult.Superseded, outcome.Result);
        Assert.Equal("another delivery", (await ReadAsync(kind, "j")).Payload);
    }

    [Fact]
    public async Task Giving_up_fails_a_running_job_once_and_leaves_an_ended_one()
    {
        var kind = await NewKindAsync();
        await AddAsync(kind, "running", ResourceStatus.CreateInProgress);
        await AddAsync(kind, "done", ResourceStatus.Active);
        var runner = new JobRunner(_time);

        Assert.True(await runner.GiveUpAsync(kind, Scope, "running", "poisoned"));
        Assert.False(await runner.GiveUpAsync(kind, Scope, "running", "again"));
        Assert.False(await runner.GiveUpAsync(kind, Scope, "done", "poisoned"));
        Assert.False(await runner.GiveUpAsync(kind, Scope, "nobody", "poisoned"));

        Assert.Equal("poisoned", (await ReadAsync(kind, "running")).State.FailureReason);
        Assert.Equal(ResourceStatus.Active, (await ReadAsync(kind, "done")).State.Status);
    }

    [Fact]
    public async Task The_watchdog_fails_jobs_without_a_heartbeat_and_jobs_that_never_started()
    {
        var kind = await NewKindAsync();
        var after = TimeSpan.FromMinutes(30);
        await AddAsync(kind, "alive", ResourceStatus.CreateInProgress, updatedAgo: TimeSpan.FromMinutes(2));
        await AddAsync(kind, "dead", ResourceStatus.CreateInProgress, updatedAgo: TimeSpan.FromMinutes(31));
        await AddAsync(kind, "queued", ResourceStatus.CreatePending, createdAgo: TimeSpan.FromHours(1));
        await AddAsync(kind, "lost", ResourceStatus.CreatePending, createdAgo: JobWatchdog.NeverStartedAfter + TimeSpan.FromMinutes(1));
        await AddAsync(kind, "old", ResourceStatus.Active, updatedAgo: TimeSpan.FromDays(30));
        var watchdog = new JobWatchdog(new JobRunner(_time), _time);

        var failed = await watchdog.SweepAsync(kind, [Scope], after);

        Assert.Equal(["dead", "lost"], failed.Order(StringComparer.Ordinal));
        Assert.StartsWith("The job stopped: no heartbeat since", (await ReadAsync(kind, "dead")).State.FailureReason, StringComparison.Ordinal);
        Assert.StartsWith("The job never started", (await ReadAsync(kind, "lost")).State.FailureReason, StringComparison.Ordinal);
        Assert.Equal(ResourceStatus.CreateInProgress, (await ReadAsync(kind, "alive")).State.Status);
        Assert.Equal(ResourceStatus.CreatePending, (await ReadAsync(kind, "queued")).State.Status);
        Assert.Empty(await watchdog.SweepAsync(kind, [Scope], after));
    }

    [Fact]
    public async Task A_job_whose_process_dies_on_every_attempt_fails_after_the_last_instead_of_being_taken_over_for_ever()
    {
        var kind = await NewKindAsync();
        await AddAsync(kind, "j", ResourceStatus.CreatePending);
        var runner = new JobRunner(_time);
        var starts = 0;
        Task<Widget> Dies(JobContext<Widget> job, CancellationToken ct)
        {
            starts++;
            return Task.FromException<Widget>(new OperationCanceledException("the process died"));
        }

        // Each delivery starts the work and "dies" (no outcome written); the next takes it over once the lease is out.
        for (var delivery = 1; delivery <= 3; delivery++)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync(kind, Scope, "j", new JobDelivery(1, false, MaxAttempts: 3), Dies));
            _time.Advance(JobRunner.DefaultLease + TimeSpan.FromSeconds(1));
        }

        var outcome = await runner.RunAsync(kind, Scope, "j", new JobDelivery(1, false, MaxAttempts: 3), Dies);

        Assert.Equal(3, starts);
        Assert.Equal(JobRunResult.Ran, outcome.Result);
        var stored = await ReadAsync(kind, "j");
        Assert.Equal(ResourceStatus.CreateFailed, stored.State.Status);
        Assert.Equal(3, stored.State.Attempts);
        Assert.Contains("started 3 times", stored.State.FailureReason, StringComparison.Ordinal);
    }
}
