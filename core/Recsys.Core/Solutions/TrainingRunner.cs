using System.Diagnostics;
using Recsys.Core.Errors;
using Recsys.Core.Jobs;
using Recsys.Core.Recipes;
using Recsys.Core.Resources;
using Recsys.Core.Telemetry;

namespace Recsys.Core.Solutions;

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
/// <param name="jobs">The job lifecycle.</param>
/// <param name="ranking">Learning to rank, for the personalized-ranking recipe.</param>
/// <param name="metrics">Where training metrics go; <see cref="RecsysMetrics.Default"/> when null.</param>
public sealed class TrainingRunner(
    IResourceStore<Solution> solutions,
    IResourceStore<SolutionVersion> versions,
    TrainingDataLoader loader,
    ISolutionModelStore models,
    TimeProvider time,
    JobRunner jobs,
    ILearningToRank? ranking = null,
    RecsysMetrics? metrics = null)
{
    private readonly RecsysMetrics _metrics = metrics ?? RecsysMetrics.Default;

    private readonly JobKind<SolutionVersion> _kind = new("solution version", versions, (v, s) => v with { State = s });

    /// <summary>Solution versions as the job seam sees them (scoped by solution).</summary>
    public JobKind<SolutionVersion> Kind => _kind;

    /// <summary>Settings of the pipeline (seed, split sizes).</summary>
    public TrainingSettings Settings { get; init; } = new();

    /// <summary>
    /// Runs one delivery of a version's training (see <see cref="JobRunner"/>). Besides domain errors, argument and
    /// state errors of the pipeline mean the data or configuration cannot be trained, which no retry mends.
    /// </summary>
    public Task<JobOutcome<SolutionVersion>> RunAsync(string solutionName, string versionName, JobDelivery delivery, CancellationToken cancellationToken = default)
        => jobs.RunAsync(_kind, solutionName, versionName, delivery, TrainMeasuredAsync, e => e is InvalidOperationException or ArgumentException, cancellationToken);

    /// <summary>Marks a version failed with <paramref name="reason"/> unless it has ended (a poisoned message, an abandoned job).</summary>
    public Task<bool> GiveUpAsync(string solutionName, string versionName, string reason, CancellationToken cancellationToken = default)
        => jobs.GiveUpAsync(_kind, solutionName, versionName, reason, cancellationToken);

    // The training inside a span of RecsysMetrics.ActivitySource, recording recsys.training.duration when it ends.
    private async Task<SolutionVersion> TrainMeasuredAsync(JobContext<SolutionVersion> record, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = RecsysMetrics.ActivitySource.StartActivity("recsys.training");
        activity?.SetTag("recsys.solution", record.Current.Solution);
        activity?.SetTag("recsys.solution_version", record.Current.Name);
        var run = new RunTelemetry();
        SolutionVersion ended;
        try
        {
            ended = await TrainAsync(record, run, cancellationToken);
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            _metrics.TrainingCompleted(run.Recipe, ResourceStatus.CreateFailed, Stopwatch.GetElapsedTime(started), run.Phases);
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

    private async Task<SolutionVersion> TrainAsync(JobContext<SolutionVersion> record, RunTelemetry run, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var version = record.Current;
        var solution = (await solutions.GetAsync(IResourceStore<Solution>.GlobalScope, version.Solution, "solution", cancellationToken)).Value;
        var recipe = RecipeCatalog.Get(solution.Recipe);
        run.Recipe = recipe.Name;
        await record.UpdateAsync(v => v with { Phase = TrainingPhase.LoadingData, PercentComplete = 2 }, cancellationToken);
        record.Phase($"loading the data of {solution.DatasetGroup} for {recipe.Name}");

        var loadClock = Stopwatch.StartNew();
        var (data, snapshot) = await LoadAsync(solution, recipe, cancellationToken);
        var loadSeconds = loadClock.Elapsed.TotalSeconds;
        run.Phases["load"] = loadSeconds;
        if (SolutionService.InsufficientData(data) is { } reason)
        {
            return await record.FailAsync(reason, cancellationToken);
        }

        record.Phase($"{data.InteractionCount} interactions of {data.UserIds.Count} users and {data.ItemIds.Count} items loaded in {loadSeconds:0.0} s");

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

        var lastPhase = string.Empty;
        void Progress(string name, int percent)
        {
            record.Progress(v => v with { Phase = name, PercentComplete = percent });
            if (name != lastPhase)
            {
                lastPhase = name;
                record.Phase($"{name} ({percent} %)");
            }
        }

        // On the training threads (bounded, below-normal priority), never on the thread pool that serves requests.
        var outcome = await Algorithms.TrainingScheduler.Shared.RunAsync(
            () => TrainingPipeline.Run(data, recipe, configurations, settings, ranking, Progress, cancellationToken),
            cancellationToken);

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
            served.ArtifactVersion,
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
        timings["saving"] = Math.Round(run.Phases["saving"], 3);

        var done = await record.CompleteAsync(v => v with
        {
            Phase = TrainingPhase.Done,
            PercentComplete = 100,
            TrainingHours = Math.Round(hours, 6),
            TunedHpoParams = outcome.Hyperparameters.Values,
            Metrics = outcome.Metrics,
            Evaluation = outcome.Evaluation,
            PhaseSeconds = timings,
            ModelLocation = manifestPath,
        }, cancellationToken);
        await RecordLatestAsync(solution.Name, done.Name, cancellationToken);
        return done;
    }

    /// <summary>The training matrix and what the manifest records of the data; the rows as read are not kept, so training's peak memory does not hold them.</summary>
    private async Task<(TrainingDataset Data, DataSnapshot Snapshot)> LoadAsync(Solution solution, Recipe recipe, CancellationToken cancellationToken)
    {
        var loaded = await loader.LoadAsync(solution.DatasetGroup, recipe.UsesItemMetadata, cancellationToken);
        var data = await Algorithms.TrainingScheduler.Shared.RunAsync(
            () => TrainingDataset.Build(loaded.Interactions, loaded.Items, TrainingFilter.For(solution)), cancellationToken);
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

    /// <summary>What a run learns for its telemetry as it goes: the recipe and the seconds of each finished phase.</summary>
    private sealed class RunTelemetry
    {
        public string Recipe { get; set; } = "unknown";

        public Dictionary<string, double> Phases { get; } = new(StringComparer.Ordinal);
    }
}
