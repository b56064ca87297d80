namespace Recsys.Algorithms.Evaluation;

/// <summary>Offline ranking metrics averaged over the evaluated users (definitions in <see cref="RankingEvaluator"/>).</summary>
public sealed class RankingMetrics
{
    private readonly Dictionary<int, double> _ndcg;
    private readonly Dictionary<int, double> _precision;
    private readonly Dictionary<int, double> _recall;

    internal RankingMetrics(
        int userCount,
        double map,
        double mapAtK,
        double meanReciprocalRank,
        double coverage,
        Dictionary<int, double> ndcg,
        Dictionary<int, double> precision,
        Dictionary<int, double> recall)
    {
        UserCount = userCount;
        Map = map;
        MapAtK = mapAtK;
        MeanReciprocalRank = meanReciprocalRank;
        Coverage = coverage;
        _ndcg = ndcg;
        _precision = precision;
        _recall = recall;
    }

    /// <summary>Number of users averaged over (those with at least one relevant item).</summary>
    public int UserCount { get; }

    /// <summary>MAP as <c>recommenders</c>' <c>map</c>: average precision at the MAP cut-off divided by |R_u|.</summary>
    public double Map { get; }

    /// <summary>MAP as <c>recommenders</c>' <c>map_at_k</c>: divided by min(|R_u|, cut-off).</summary>
    public double MapAtK { get; }

    /// <summary>Mean reciprocal rank of the first hit within the MRR cut-off (0 without a hit).</summary>
    public double MeanReciprocalRank { get; }

    /// <summary>Distinct items in the users' lists up to the coverage cut-off, over the catalogue size (NaN without a catalogue size).</summary>
    public double Coverage { get; }

    /// <summary>The cut-offs with nDCG, precision and recall values, ascending.</summary>
    public IReadOnlyList<int> Ks => [.. _ndcg.Keys.Order()];

    /// <summary>nDCG@k with binary gains.</summary>
    public double NdcgAt(int k) => _ndcg[k];

    /// <summary>Precision@k: hits in the first k over k.</summary>
    public double PrecisionAt(int k) => _precision[k];

    /// <summary>Recall@k: hits in the first k over |R_u|.</summary>
    public double RecallAt(int k) => _recall[k];
}
