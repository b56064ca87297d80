using System.Diagnostics;
using Recsys.Core.Errors;
using Recsys.Core.Recipes;
using Recsys.Core.Resources;
using Recsys.Core.Telemetry;

namespace Recsys.Core.Solutions;

/// <summary>A training message arrived while another delivery of the same version is still running; retry later.</summary>
public sealed class TrainingBusyException(string message) : Exception(message);

/// <summary>
/// Runs one solution version's training: loads the data, checks the minimums again, runs the
/// <see cref="TrainingPipeline"/>, writes the artifact and then the manifest (the commit point), and marks the
/// version ACTIVE with its metrics. Phase and percent progress are written to the version's record as it runs.
/// A message for a finished version does nothing, and versions are only ever created by the API, so a retried or
/// duplicated message never makes a second version.
/// Each run is a span of <see cref="RecsysMetrics.ActivitySource"/> and records <c>recsys.training.duration</c> and
/// <c>recsys.training.phase.duration</c> when the version ends.
/// </summary>
/// <param name="solutions">Solution records.</param>
/// <param name="versions">Solution version records.</param>
/// <param name="loader">Reads the training data.</param>
/// <param name="models">Writes artifacts and manifests.</param>
/// <param name="time">Clock.</param>
/// <param name="ranking">Learning to rank, for the personalized-ranking recipe.</param>
/// <param name="metrics">Where training metrics go; <see cref="RecsysMetrics.Default"/> when null.</param>
public sealed class TrainingRunner(
    IResourceStore<Solution> solutions,
    IResourceStore<SolutionVersion> versions,
    TrainingDataLoader loader,
    ISolutionModelStore models,
    TimeProvider time,
    ILearningToRank? ranking = null,
    RecsysMetrics? metrics = null)
{
    private readonly RecsysMetrics _metrics = metrics ?? RecsysMetrics.Default;

    /// <summary>How long a running version's record may go without an update before another delivery takes it over.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan s_progressInterval = TimeSpan.FromSeconds(2);

    /// <summary>Settings of the pipeline (seed, split sizes).</summary>
    public TrainingSettings Settings { get; init; } = new();

    /// <summary>Runs the training; returns the version as it ended. Throws only for failures worth a retry.</summary>
    public async Task<SolutionVersion> RunAsync(string solutionName, string versionName, bool lastDelivery, CancellationToken cancellationToken = default)
    {
        var stored = await versions.GetAsync(solutionName, versionName, "solution version", cancellationToken);
        var version = stored.Value;
        if (ResourceStatus.IsTerminal(version.State.Status) || version.State.Status == ResourceStatus.DeletePending)
        {
            return version; // a repeated message for a finished version
        }

        if (version.State.Status == ResourceStatus.CreateInProgress && time.GetUtcNow() - version.State.LastUpdatedDateTime < Lease)
        {
            // Another delivery is training it now; that one finishes the job.
            return lastDelivery ? version : throw new TrainingBusyException($"The solution version {version.Arn} is being trained by another delivery.");
        }

        var started = Stopwatch.GetTimestamp();
        using var activity = RecsysMetrics.ActivitySource.StartActivity("recsys.training");
        activity?.SetTag("recsys.solution", solutionName);
        activity?.SetTag("recsys.solution_version", versionName);
        var run = new RunTelemetry();
        using var record = Track(stored);
        SolutionVersion ended;
        try
        {
            if (version.State.Status == ResourceStatus.CreatePending)
            {
                await record.UpdateAsync(v => v with { State = v.State.MoveTo("solution version", v.Name, ResourceStatus.CreateInProgress, time.GetUtcNow()) }, cancellationToken);
            }

            try
            {
                ended = await TrainAsync(record, run, cancellationToken);
            }
            catch (Exception e) when (e is RecsysException or InvalidOperationException or ArgumentException)
            {
                // The data or configuration cannot be trained: retrying would fail the same way.
                ended = await FailAsync(record, e.Message, cancellationToken);
            }
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }

        activity?.SetTag("recsys.recipe", run.Recipe);
        activity?.SetTag("recsys.status", ended.State.Status);
        if (ended.State.Status != ResourceStatus.Active)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ended.State.FailureReason);
        }

        _metrics.TrainingCompleted(run.Recipe, ended.State.Status, Stopwatch.GetElapsedTime(started), run.Phases);
        return ended;
    }

    /// <summary>Marks a version failed after its last delivery failed with <paramref name="reason"/>.</summary>
    public async Task GiveUpAsync(string solutionName, string versionName, string reason, CancellationToken cancellationToken = default)
    {
        var stored = await versions.FindAsync(solutionName, versionName, cancellationToken);
        if (stored is not null && !ResourceStatus.IsTerminal(stored.Value.State.Status) && stored.Value.State.Status != ResourceStatus.DeletePending)
        {
            using var record = Track(stored);
            await FailAsync(record, reason, cancellationToken);
        }
    }

    private async Task<SolutionVersion> TrainAsync(TrackedResource<SolutionVersion> record, RunTelemetry run, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var version = record.Current;
        var solution = (await solutions.GetAsync(IResourceStore<Solution>.GlobalScope, version.Solution, "solution", cancellationToken)).Value;
        var recipe = RecipeCatalog.Get(solution.Recipe);
        run.Recipe = recipe.Name;
        await record.UpdateAsync(v => v with { Phase = TrainingPhase.LoadingData, PercentComplete = 2 }, cancellationToken);

        var loadClock = Stopwatch.StartNew();
        var (data, snapshot) = await LoadAsync(solution, recipe, cancellationToken);
        var loadSeconds = loadClock.Elapsed.TotalSeconds;
        run.Phases["load"] = loadSeconds;
        if (SolutionService.InsufficientData(data) is { } reason)
        {
            return await FailAsync(record, reason, cancellationToken);
        }

        var configurations = await ConfigurationsAsync(solution, recipe, version.TrainingMode, cancellationToken);
        var settings = Settings;
        if (solution.PerformHpo && version.TrainingMode == TrainingMode.Full && solution.SolutionConfig.HpoConfig?.HpoObjective is { } objective)
        {
            settings = settings with
            {
                ObjectiveMetric = objective.MetricName ?? settings.ObjectiveMetric,
                Maximize = objective.Type != "Minimize",
            };
        }

        var phase = (Name: TrainingPhase.Tuning, Percent: 10);
        var gate = new Lock();
        using var stop = new CancellationTokenSource();
        var reporter = ReportProgressAsync(record, () => { lock (gate) { return phase; } }, stop.Token);
        TrainingOutcome outcome;
        try
        {
            outcome = await Task.Run(
                () => TrainingPipeline.Run(data, recipe, configurations, settings, ranking, (name, percent) => { lock (gate) { phase = (name, percent); } }, cancellationToken),
                cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await reporter;
        }

        foreach (var (phaseName, seconds) in outcome.Timings)
        {
            run.Phases[phaseName] = seconds;
        }

        var savingClock = Stopwatch.StartNew();
        await record.UpdateAsync(v => v with { Phase = TrainingPhase.Saving, PercentComplete = 90 }, cancellationToken);
        var served = SolutionModel.Create(recipe.Name, data, outcome);
        var (path, bytes) = await models.WriteArtifactAsync(version.Solution, version.Name, served.Write, cancellationToken);
        var timings = new Dictionary<string, double>(outcome.Timings) { ["load"] = Math.Round(loadSeconds, 3) };
        var hours = Stopwatch.GetElapsedTime(started).TotalHours;
        timings["total"] = Math.Round(hours * 3600, 3);
        var manifest = new ModelManifest(
            version.Arn,
            recipe.Name,
            SolutionModel.FormatVersion,
            path,
            bytes,
            outcome.Hyperparameters.Values,
            snapshot,
            outcome.Metrics,
            outcome.Evaluation,
            timings,
            time.GetUtcNow());
        var manifestPath = await models.CommitManifestAsync(version.Solution, version.Name, manifest, cancellationToken);
        run.Phases["saving"] = savingClock.Elapsed.TotalSeconds;

        var done = await record.UpdateAsync(v => v with
        {
            State = v.State.MoveTo("solution version", v.Name, ResourceStatus.Active, time.GetUtcNow()),
            Phase = TrainingPhase.Done,
            PercentComplete = 100,
            TrainingHours = Math.Round(hours, 6),
            TunedHpoParams = outcome.Hyperparameters.Values,
            Metrics = outcome.Metrics,
            Evaluation = outcome.Evaluation,
            ModelLocation = manifestPath,
        }, cancellationToken);
        await RecordLatestAsync(solution.Name, done.Name, cancellationToken);
        return done;
    }

    /// <summary>The training matrix and what the manifest records of the data; the rows as read are not kept, so training's peak memory does not hold them.</summary>
    private async Task<(TrainingDataset Data, DataSnapshot Snapshot)> LoadAsync(Solution solution, Recipe recipe, CancellationToken cancellationToken)
    {
        var loaded = await loader.LoadAsync(solution.DatasetGroup, recipe.UsesItemMetadata, cancellationToken);
        var data = TrainingDataset.Build(loaded.Interactions, loaded.Items, TrainingFilter.For(solution));
        return (data, new DataSnapshot(loaded.ManifestVersion, loaded.ImportedRows, loaded.RealTimeEvents, data.InteractionCount, data.UserIds.Count, data.ItemIds.Count, loaded.Items.ItemIds.Count));
    }

    private async Task<IReadOnlyList<Hyperparameters>> ConfigurationsAsync(Solution solution, Recipe recipe, TrainingMode mode, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var fixedValues = RecipeCatalog.Resolve(recipe, solution.SolutionConfig.AlgorithmHyperParameters, "solutionConfig.algorithmHyperParameters", errors);
        if (mode == TrainingMode.Update)
        {
            // Start from the latest ACTIVE version's tuned values: no HPO, no model selection.
            SolutionVersion? latest = null;
            string? token = null;
            do
            {
                var page = await versions.ListAsync(solution.Name, Paging.MaxPageSize, token, cancellationToken);
                foreach (var v in page.Items.Where(v => v.State.Status == ResourceStatus.Active))
                {
                    latest = latest is null || v.State.CreationDateTime > latest.State.CreationDateTime ? v : latest;
                }

                token = page.NextToken;
            }
            while (token is not null);
            if (latest?.TunedHpoParams is null)
            {
                throw new InvalidInputException("trainingMode", "UPDATE needs an ACTIVE version to start from.");
            }

            return [RecipeCatalog.Resolve(recipe, latest.TunedHpoParams, "tunedHPOParams", errors)];
        }

        return solution.PerformHpo && solution.SolutionConfig.HpoConfig is { } hpo
            ? HpoSearch.Configurations(fixedValues, hpo, Settings.Seed)
            : [fixedValues];
    }

    private async Task RecordLatestAsync(string solutionName, string versionName, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var stored = await solutions.FindAsync(IResourceStore<Solution>.GlobalScope, solutionName, cancellationToken);
            if (stored is null)
            {
                return;
            }

            try
            {
                await solutions.ReplaceAsync(IResourceStore<Solution>.GlobalScope, solutionName, stored.Value with { LatestSolutionVersion = versionName }, stored.ETag, cancellationToken);
                return;
            }
            catch (PreconditionFailedException)
            {
                // changed meanwhile: read again
            }
        }
    }

    private async Task<SolutionVersion> FailAsync(TrackedResource<SolutionVersion> record, string reason, CancellationToken cancellationToken)
        => await record.UpdateAsync(v => v with
        {
            State = v.State.MoveTo("solution version", v.Name, ResourceStatus.CreateFailed, time.GetUtcNow(), reason),
        }, cancellationToken);

    private async Task ReportProgressAsync(TrackedResource<SolutionVersion> record, Func<(string Name, int Percent)> current, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(s_progressInterval, time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Written even when unchanged: the update time is the lease that tells other deliveries this run is alive.
            var (name, percent) = current();
            await record.UpdateAsync(v => v with { Phase = name, PercentComplete = percent }, CancellationToken.None);
        }
    }

    /// <summary>What a run learns for its telemetry as it goes: the recipe and the seconds of each finished phase.</summary>
    private sealed class RunTelemetry
    {
        public string Recipe { get; set; } = "unknown";

        public Dictionary<string, double> Phases { get; } = new(StringComparer.Ordinal);
    }

    private TrackedResource<SolutionVersion> Track(Stored<SolutionVersion> stored)
        => new(versions, stored.Value.Solution, stored, v => v with { State = v.State with { LastUpdatedDateTime = time.GetUtcNow() } });
}
