using Recsys.Core.Resources;

namespace Recsys.Core.Solutions;

/// <summary>How a solution version is trained.</summary>
public enum TrainingMode
{
    /// <summary>Train on all the data, from scratch.</summary>
    Full,

    /// <summary>
    /// Keep the latest ACTIVE version's hyperparameters (tuned or selected model included) and retrain on the current
    /// data, without HPO or model selection: faster, and new items and users come in.
    /// </summary>
    Update,
}

/// <summary>
/// A solution version (Personalize's SolutionVersion): one training run of a solution, with its progress, offline
/// metrics and the location of its model. Stored in the solution's partition under its version id.
/// </summary>
public sealed record SolutionVersion : IResource
{
    /// <summary>Resource type name used in ARNs (a version's path is <c>{solution}/{version}</c>).</summary>
    public const string ResourceType = "solution";

    /// <summary>Version id (unique within the solution).</summary>
    public required string Name { get; init; }

    /// <summary>The solution (name).</summary>
    public required string Solution { get; init; }

    /// <summary>The dataset group (name).</summary>
    public required string DatasetGroup { get; init; }

    /// <summary>The recipe (name).</summary>
    public required string Recipe { get; init; }

    /// <summary>FULL or UPDATE.</summary>
    public TrainingMode TrainingMode { get; init; }

    /// <summary>MANUAL (created through the API) or AUTOMATIC.</summary>
    public string TrainingType { get; init; } = "MANUAL";

    /// <summary>Lifecycle state.</summary>
    public required ResourceState State { get; init; }

    /// <summary>The phase the job is in (QUEUED, LOADING_DATA, SPLITTING, TUNING, EVALUATING, TRAINING_FINAL, SAVING, DONE).</summary>
    public string Phase { get; init; } = TrainingPhase.Queued;

    /// <summary>Percent complete, 0–100.</summary>
    public int PercentComplete { get; init; }

    /// <summary>Wall-clock hours the training took (Personalize's billed <c>trainingHours</c>).</summary>
    public double? TrainingHours { get; init; }

    /// <summary>The hyperparameters the version was trained with (after HPO or model selection).</summary>
    public IReadOnlyDictionary<string, string>? TunedHpoParams { get; init; }

    /// <summary>Offline metrics with Personalize's keys (plus recall, MAP and per-K values).</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }

    /// <summary>The evaluation split and its sizes.</summary>
    public EvaluationSummary? Evaluation { get; init; }

    /// <summary>Seconds each training phase took (load, split, tuning, evaluation, final, saving, total), once ACTIVE.</summary>
    public IReadOnlyDictionary<string, double>? PhaseSeconds { get; init; }

    /// <summary>Blob path of the manifest (the commit point of the model), once ACTIVE.</summary>
    public string? ModelLocation { get; init; }

    /// <summary>The ARN-like identifier.</summary>
    public string Arn => ResourceArn.For(ResourceType, Solution + "/" + Name);
}

/// <summary>Training phases reported in <see cref="SolutionVersion.Phase"/>.</summary>
public static class TrainingPhase
{
    /// <summary>Waiting on the training queue.</summary>
    public const string Queued = "QUEUED";

    /// <summary>Reading interactions, real-time events and items.</summary>
    public const string LoadingData = "LOADING_DATA";

    /// <summary>Selecting the model or searching hyperparameters on the validation split.</summary>
    public const string Tuning = "TUNING";

    /// <summary>Training on the evaluation split's training users and computing metrics.</summary>
    public const string Evaluating = "EVALUATING";

    /// <summary>Training the served model on all the data.</summary>
    public const string TrainingFinal = "TRAINING_FINAL";

    /// <summary>Writing the artifact and manifest.</summary>
    public const string Saving = "SAVING";

    /// <summary>Finished.</summary>
    public const string Done = "DONE";
}

/// <summary>How the offline metrics were computed (Personalize's split: 10 % of users held out; their oldest 90 % fed in, newest 10 % scored).</summary>
/// <param name="Method">Description of the split.</param>
/// <param name="TrainingUsers">Users trained on.</param>
/// <param name="TestUsers">Held-out users scored.</param>
/// <param name="TrainingInteractions">Interactions trained on.</param>
/// <param name="TestInputInteractions">Held-out users' interactions fed in.</param>
/// <param name="TestTargetInteractions">Held-out users' interactions scored against.</param>
/// <param name="ValidationUsers">Training users whose newest interactions formed the validation split for model selection and HPO (0 when none was needed).</param>
/// <param name="CatalogItems">Items in the datasets (the coverage denominator).</param>
/// <param name="Candidates">Each configuration tried on the validation split, with its objective value.</param>
/// <param name="RankingImprovement">For personalized-ranking: nDCG@10 on held-out users of the base order and of the learned ranker.</param>
/// <param name="BlendObjective">When the served model blends the candidates (<c>model=auto</c>): the blend's objective on the validation split.</param>
/// <param name="HistoryRecency">For <c>model=auto</c> on data whose timestamps order interactions: the boost of users' latest interactions chosen on validation, with every boost tried.</param>
public sealed record EvaluationSummary(
    string Method,
    int TrainingUsers,
    int TestUsers,
    long TrainingInteractions,
    long TestInputInteractions,
    long TestTargetInteractions,
    int ValidationUsers,
    int CatalogItems,
    IReadOnlyList<CandidateScore>? Candidates = null,
    RankingImprovement? RankingImprovement = null,
    double? BlendObjective = null,
    HistoryRecency? HistoryRecency = null);

/// <summary>
/// The boost of a user's latest interactions when their history is scored (<see cref="Recsys.Algorithms.Data.RecencyBoost"/>):
/// the interaction of recency rank r weighs <c>Floor + (1 − Floor)·0.5^(r / HalfLife)</c> times its weight.
/// </summary>
/// <param name="Floor">The chosen floor; 1 is no boost.</param>
/// <param name="HalfLife">Its half-life in interactions.</param>
/// <param name="Tried">Every boost scored on the validation users, the first being none.</param>
public sealed record HistoryRecency(double Floor, double HalfLife, IReadOnlyList<RecencyTrial> Tried);

/// <summary>A recency boost scored on the validation users.</summary>
/// <param name="Floor">Its floor (1: none).</param>
/// <param name="HalfLife">Its half-life in interactions.</param>
/// <param name="Objective">nDCG@10 on all validation users.</param>
/// <param name="TemporalFoldObjective">nDCG@10 on the users whose newest interactions were held out.</param>
/// <param name="RandomFoldObjective">nDCG@10 on the users whose held-out interactions were a random sample.</param>
/// <param name="Chosen">Whether it is the boost served.</param>
public sealed record RecencyTrial(double Floor, double HalfLife, double Objective, double TemporalFoldObjective, double RandomFoldObjective, bool Chosen);

/// <summary>One configuration tried during selection or HPO.</summary>
/// <param name="Hyperparameters">The configuration (only the values that differ between candidates).</param>
/// <param name="Objective">Its objective metric on the validation split.</param>
/// <param name="Seconds">Training and scoring time.</param>
/// <param name="BlendWeight">Its weight in the served blend (0 when the blend leaves it out); null when one configuration was chosen instead.</param>
public sealed record CandidateScore(IReadOnlyDictionary<string, string> Hyperparameters, double Objective, double Seconds, double? BlendWeight = null);

/// <summary>What the learning-to-rank stage adds, on the held-out users' candidate lists.</summary>
/// <param name="BaseNdcgAt10">nDCG@10 of the candidates in base-score order.</param>
/// <param name="RankedNdcgAt10">nDCG@10 after re-ranking.</param>
/// <param name="Candidates">Candidates per user.</param>
public sealed record RankingImprovement(double BaseNdcgAt10, double RankedNdcgAt10, int Candidates);
