using System.Globalization;
using Recsys.Core.DatasetGroups;
using Recsys.Core.Datasets;
using Recsys.Core.Errors;
using Recsys.Core.Jobs;
using Recsys.Core.Recipes;
using Recsys.Core.Resources;
using Recsys.Data.Schemas;

namespace Recsys.Core.Solutions;

/// <summary>
/// Use cases for solutions and solution versions through the manage API: create, describe, list and delete
/// solutions; create (queued), describe and list versions; read a version's metrics. Insufficient data is reported
/// when a version is requested, not when its training runs.
/// </summary>
public sealed class SolutionService(
    IResourceStore<Solution> solutions,
    IResourceStore<SolutionVersion> versions,
    IResourceStore<DatasetGroup> datasetGroups,
    IDatasetSegmentStore segments,
    TrainingDataLoader loader,
    ISolutionModelStore models,
    IJobScheduler queue,
    TimeProvider timeProvider)
{
    /// <summary>Interactions (after filters) Personalize requires to train.</summary>
    public const int MinInteractions = 1_000;

    /// <summary>Users with two or more interactions Personalize requires to train.</summary>
    public const int MinUsersWithTwoInteractions = 25;

    /// <summary>Largest dataset (imported rows) whose filtered counts are checked exactly when a version is requested; larger ones are checked by row count then, and exactly at the start of training.</summary>
    public const long ExactCheckMaxRows = 2_000_000;

    private const string Scope = IResourceStore<Solution>.GlobalScope;

    /// <summary>
    /// Creates a solution after validating its recipe, hyperparameters, filters, HPO settings and automatic training
    /// schedule. <paramref name="performAutoTraining"/> defaults to true (as in Personalize), with
    /// <see cref="AutoTraining.DefaultSchedulingExpression"/> when no schedule is given.
    /// </summary>
    public async Task<Stored<Solution>> CreateAsync(
        string? name, string? datasetGroupArn, string? recipeArn, string? eventType, bool? performHpo, SolutionConfig? config, bool? performAutoTraining = null, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (ResourceName.Problem(name) is { } nameProblem)
        {
            errors["name"] = [nameProblem];
        }

        if (string.IsNullOrWhiteSpace(recipeArn))
        {
            errors["recipeArn"] = ["A recipe is required, e.g. 'arn:recsys:personalize:::recipe/user-personalization'."];
        }

        var group = ResourceArn.Resolve(DatasetGroup.ResourceType, datasetGroupArn, "datasetGroupArn");
        config ??= new SolutionConfig();
        var recipe = recipeArn is null ? null : RecipeCatalog.Get(recipeArn);
        if (recipe is not null)
        {
            RecipeCatalog.Resolve(recipe, config.AlgorithmHyperParameters, "solutionConfig.algorithmHyperParameters", errors);
            if (performHpo == true)
            {
                if (!recipe.SupportsHpo)
                {
                    errors["performHPO"] = [$"The recipe {recipe.Name} does not support HPO."];
                }
                else if (config.HpoConfig is null)
                {
                    errors["solutionConfig.hpoConfig"] = ["performHPO needs solutionConfig.hpoConfig with algorithmHyperParameterRanges."];
                }
                else
                {
                    HpoSearch.Validate(recipe, config.HpoConfig, errors);
                }
            }
        }

        if (config.EventValueThreshold is { } threshold && !double.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            errors["solutionConfig.eventValueThreshold"] = [$"eventValueThreshold must be a number; got '{threshold}'."];
        }

        var parameters = config.EventsConfig?.EventParametersList ?? [];
        if (parameters.Count > 10)
        {
            errors["solutionConfig.eventsConfig.eventParametersList"] = ["At most 10 event types."];
        }

        for (var p = 0; p < parameters.Count; p++)
        {
            if (string.IsNullOrWhiteSpace(parameters[p].EventType))
            {
                errors[$"solutionConfig.eventsConfig.eventParametersList[{p}].eventType"] = ["eventType is required."];
            }

            if (parameters[p].Weight is { } weight && (weight is < 0 or > 1 || double.IsNaN(weight)))
            {
                errors[$"solutionConfig.eventsConfig.eventParametersList[{p}].weight"] = [$"weight must be between 0 and 1; got {weight.ToString(CultureInfo.InvariantCulture)}."];
            }
        }

        if (config.AutoTrainingConfig is { } autoTraining && AutoTraining.TryParse(autoTraining.SchedulingExpression, out var scheduleProblem) is null)
        {
            errors[AutoTraining.ExpressionField] = [scheduleProblem!];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException("The solution request is invalid.", errors);
        }

        var autoTrain = performAutoTraining ?? true;
        if (autoTrain && config.AutoTrainingConfig?.SchedulingExpression is null)
        {
            config = config with { AutoTrainingConfig = new AutoTrainingConfig(AutoTraining.DefaultSchedulingExpression) };
        }

        await datasetGroups.GetAsync(IResourceStore<DatasetGroup>.GlobalScope, group, "dataset group", cancellationToken);
        var solution = new Solution
        {
            Name = name!,
            DatasetGroup = group,
            Recipe = recipe!.Name,
            EventType = string.IsNullOrWhiteSpace(eventType) ? null : eventType,
            PerformHpo = performHpo == true,
            PerformAutoTraining = autoTrain,
            SolutionConfig = config,
            State = ResourceState.New(ResourceStatus.Active, timeProvider.GetUtcNow()),
        };
        return await solutions.CreateAsync(Scope, solution.Name, solution, cancellationToken);
    }

    /// <summary>Reads a solution by name or ARN.</summary>
    public Task<Stored<Solution>> DescribeAsync(string? identifier, CancellationToken cancellationToken = default)
        => solutions.GetAsync(Scope, ResourceArn.Resolve(Solution.ResourceType, identifier, "solutionArn"), "solution", cancellationToken);

    /// <summary>Lists solutions, optionally only those of a dataset group.</summary>
    public async Task<ResourcePage<Solution>> ListAsync(string? datasetGroupArn, int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
    {
        var page = await solutions.ListAsync(Scope, Paging.PageSize(maxResults), nextToken, cancellationToken);
        if (datasetGroupArn is null)
        {
            return page;
        }

        var group = ResourceArn.Resolve(DatasetGroup.ResourceType, datasetGroupArn, "datasetGroupArn");
        return page with { Items = [.. page.Items.Where(s => s.DatasetGroup == group)] };
    }

    /// <summary>Deletes a solution with its versions and models; 409 while a version is training.</summary>
    public async Task DeleteAsync(string? identifier, CancellationToken cancellationToken = default)
    {
        var solution = (await DescribeAsync(identifier, cancellationToken)).Value;
        var all = await AllVersionsAsync(solution.Name, cancellationToken);
        if (all.FirstOrDefault(v => !ResourceStatus.IsTerminal(v.State.Status)) is { } running)
        {
            throw new ResourceInUseException($"The solution '{solution.Name}' has a version in training ({running.Name}, {running.State.Status}); wait for it to finish.");
        }

        foreach (var version in all)
        {
            await models.DeleteAsync(solution.Name, version.Name, cancellationToken);
            await versions.DeleteAsync(solution.Name, version.Name, null, cancellationToken);
        }

        await solutions.DeleteAsync(Scope, solution.Name, null, cancellationToken);
    }

    /// <summary>
    /// Creates a solution version and queues its training, after checking that the data meets Personalize's
    /// minimums (400 otherwise) and that no other version of the solution is training (409). With
    /// <paramref name="automatic"/> the version's <see cref="SolutionVersion.TrainingType"/> is
    /// <see cref="AutoTraining.AutomaticTrainingType"/> (started by the retrain timer).
    /// </summary>
    public async Task<Stored<SolutionVersion>> CreateVersionAsync(string? solutionArn, string? trainingMode, bool automatic = false, CancellationToken cancellationToken = default)
    {
        var mode = TrainingMode.Full;
        if (trainingMode is not null && !Enum.TryParse(trainingMode, ignoreCase: true, out mode))
        {
            throw new InvalidInputException("trainingMode", $"trainingMode must be FULL or UPDATE; got '{trainingMode}'.");
        }

        var solution = (await DescribeAsync(solutionArn, cancellationToken)).Value;
        var existing = await AllVersionsAsync(solution.Name, cancellationToken);
        if (existing.FirstOrDefault(v => !ResourceStatus.IsTerminal(v.State.Status) && v.State.Status != ResourceStatus.DeletePending) is { } running)
        {
            throw new ResourceInUseException($"The solution '{solution.Name}' already has a version in training ({running.Name}, {running.State.Status}).");
        }

        if (mode == TrainingMode.Update && !existing.Any(v => v.State.Status == ResourceStatus.Active))
        {
            throw new InvalidInputException("trainingMode", $"trainingMode UPDATE needs an ACTIVE version of '{solution.Name}' to start from; create a FULL version first.");
        }

        if (await InsufficientDataAsync(solution, cancellationToken) is { } reason)
        {
            throw new InvalidInputException("solutionArn", reason);
        }

        var version = new SolutionVersion
        {
            Name = Guid.NewGuid().ToString("N")[..12],
            Solution = solution.Name,
            DatasetGroup = solution.DatasetGroup,
            Recipe = solution.Recipe,
            TrainingMode = mode,
            TrainingType = automatic ? AutoTraining.AutomaticTrainingType : "MANUAL",
            State = ResourceState.New(ResourceStatus.CreatePending, timeProvider.GetUtcNow()),
        };
        var created = await versions.CreateAsync(solution.Name, version.Name, version, cancellationToken);
        await queue.SendAsync(new TrainingJobMessage(solution.Name, version.Name), cancellationToken: cancellationToken);
        return created;
    }

    /// <summary>Every solution (all pages).</summary>
    public async Task<IReadOnlyList<Solution>> AllAsync(CancellationToken cancellationToken = default)
    {
        var all = new List<Solution>();
        string? token = null;
        do
        {
            var page = await solutions.ListAsync(Scope, Paging.MaxPageSize, token, cancellationToken);
            all.AddRange(page.Items);
            token = page.NextToken;
        }
        while (token is not null);
        return all;
    }

    /// <summary>
    /// Why the automatic training of a solution is not due now (see <see cref="AutoTraining.NotDueReason"/>), or null
    /// when it is; read fresh from the stores, so a caller holding the solution's retrain lock can trust it.
    /// </summary>
    public async Task<string?> AutomaticTrainingNotDueAsync(string solution, CancellationToken cancellationToken = default)
    {
        var current = (await DescribeAsync(solution, cancellationToken)).Value;
        return AutoTraining.NotDueReason(current, await AllVersionsAsync(current.Name, cancellationToken), timeProvider.GetUtcNow());
    }

    /// <summary>Reads a version by its ARN (<c>…:solution/{solution}/{version}</c>) or <c>{solution}/{version}</c>.</summary>
    public async Task<Stored<SolutionVersion>> DescribeVersionAsync(string? identifier, CancellationToken cancellationToken = default)
    {
        var path = ResourceArn.ResolvePath(SolutionVersion.ResourceType, identifier, "solutionVersionArn", 2);
        return await versions.GetAsync(path[0], path[1], "solution version", cancellationToken);
    }

    /// <summary>Lists a solution's versions.</summary>
    public async Task<ResourcePage<SolutionVersion>> ListVersionsAsync(string? solutionArn, int? maxResults, string? nextToken, CancellationToken cancellationToken = default)
    {
        var solution = (await DescribeAsync(solutionArn, cancellationToken)).Value;
        return await versions.ListAsync(solution.Name, Paging.PageSize(maxResults), nextToken, cancellationToken);
    }

    /// <summary>The metrics of an ACTIVE version (409 before it is trained).</summary>
    public async Task<SolutionVersion> GetMetricsAsync(string? solutionVersionArn, CancellationToken cancellationToken = default)
    {
        var version = (await DescribeVersionAsync(solutionVersionArn, cancellationToken)).Value;
        return version.Metrics is null
            ? throw new ResourceInUseException($"The solution version '{version.Arn}' is {version.State.Status}; metrics exist once it is ACTIVE.")
            : version;
    }

    /// <summary>Why the solution's data is not enough to train, or null.</summary>
    internal async Task<string?> InsufficientDataAsync(Solution solution, CancellationToken cancellationToken)
    {
        var manifest = await segments.ReadManifestAsync(solution.DatasetGroup, DatasetType.Interactions, cancellationToken);
        if (manifest.Rows > ExactCheckMaxRows)
        {
            return null;
        }

        var loaded = await loader.LoadAsync(solution.DatasetGroup, withItems: false, cancellationToken);
        return InsufficientData(TrainingDataset.Build(loaded.Interactions, null, TrainingFilter.For(solution)));
    }

    /// <summary>Personalize's minimums, as a failure reason, or null when met.</summary>
    public static string? InsufficientData(TrainingDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.InteractionCount < MinInteractions)
        {
            return $"Not enough data to train: {data.InteractionCount} interactions remain after the solution's event type and value filters; at least {MinInteractions} are needed.";
        }

        var users = data.UsersWithTwoOrMore;
        if (users < MinUsersWithTwoInteractions || users < data.UserIds.Count / 100.0)
        {
            return $"Not enough data to train: {users} of {data.UserIds.Count} users have 2 or more interactions; at least {MinUsersWithTwoInteractions} and at least 1% of users are needed.";
        }

        return null;
    }

    private async Task<List<SolutionVersion>> AllVersionsAsync(string solution, CancellationToken cancellationToken)
    {
        var all = new List<SolutionVersion>();
        string? token = null;
        do
        {
            var page = await versions.ListAsync(solution, Paging.MaxPageSize, token, cancellationToken);
            all.AddRange(page.Items);
            token = page.NextToken;
        }
        while (token is not null);
        return all;
    }
}
