namespace Recsys.Algorithms.Evaluation;

/// <summary>Cut-offs used by <see cref="RankingEvaluator"/>; the defaults are those of the splits' PROTOCOL.md and Personalize.</summary>
public sealed record RankingEvaluationOptions
{
    /// <summary>The k of nDCG@k, precision@k and recall@k.</summary>
    public IReadOnlyList<int> Ks { get; init; } = [5, 10, 25];

    /// <summary>The k of both MAP variants.</summary>
    public int MapCutoff { get; init; } = 10;

    /// <summary>The k of the mean reciprocal rank.</summary>
    public int MrrCutoff { get; init; } = 25;

    /// <summary>The k of catalogue coverage.</summary>
    public int CoverageCutoff { get; init; } = 25;
}
