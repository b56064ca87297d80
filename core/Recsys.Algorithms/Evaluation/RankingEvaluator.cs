namespace Recsys.Algorithms.Evaluation;

/// <summary>
/// Offline top-N metrics exactly as defined in the ml-latest-small splits' PROTOCOL.md (§5), which follows
/// microsoft/recommenders' <c>python_evaluation.py</c>. With <c>L_u</c> a user's ranked list, <c>R_u</c> the set of
/// relevant (test) items, <c>hit(j) = [L_u[j] ∈ R_u]</c> and <c>H(k) = Σ_{j≤k} hit(j)</c>:
/// <list type="bullet">
/// <item>P@k = H(k)/k (k even when the list is shorter); R@k = H(k)/|R_u|;</item>
/// <item>nDCG@k = Σ_{j≤k} hit(j)/log(1+j) over Σ_{j≤min(|R_u|,k)} 1/log(1+j);</item>
/// <item>MAP = Σ_{j≤K} hit(j)·H(j)/j over |R_u|, and MAP@K the same over min(|R_u|, K);</item>
/// <item>MRR@K = 1/(rank of the first hit within K), 0 without a hit;</item>
/// <item>coverage@K = |∪_u L_u[1..K]| / catalogue size.</item>
/// </list>
/// Every metric is the mean over users with a non-empty <c>R_u</c>. Item identifiers are opaque integers (ids or indices).
/// </summary>
public static class RankingEvaluator
{
    /// <summary>Computes the metrics.</summary>
    /// <param name="recommended">Per user, the ranked list (best first).</param>
    /// <param name="relevant">Per user (aligned with <paramref name="recommended"/>), the relevant items; duplicates count once.</param>
    /// <param name="catalogSize">Number of recommendable items, the coverage denominator; 0 to skip coverage.</param>
    /// <param name="options">Cut-offs; defaults to PROTOCOL.md's.</param>
    public static RankingMetrics Evaluate(
        IReadOnlyList<IReadOnlyList<int>> recommended,
        IReadOnlyList<IReadOnlyCollection<int>> relevant,
        int catalogSize = 0,
        RankingEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recommended);
        ArgumentNullException.ThrowIfNull(relevant);
        if (recommended.Count != relevant.Count)
        {
            throw new ArgumentException("recommended and relevant must have one entry per user.", nameof(relevant));
        }

        options ??= new RankingEvaluationOptions();
        var ks = options.Ks.Distinct().Order().ToArray();
        if (ks.Any(k => k <= 0) || options.MapCutoff <= 0 || options.MrrCutoff <= 0 || options.CoverageCutoff <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Cut-offs must be positive.");
        }

        var maxK = Math.Max(Math.Max(ks.Length == 0 ? 0 : ks[^1], options.MapCutoff), options.MrrCutoff);
        var discount = new double[maxK + 1];
        for (var j = 1; j <= maxK; j++)
        {
            discount[j] = 1 / Math.Log(1 + j);
        }

        var ndcg = new double[ks.Length];
        var precision = new double[ks.Length];
        var recall = new double[ks.Length];
        double map = 0, mapAtK = 0, mrr = 0;
        var users = 0;
        var covered = new HashSet<int>();
        for (var u = 0; u < recommended.Count; u++)
        {
            var list = recommended[u];
            var truth = relevant[u] as IReadOnlySet<int> ?? new HashSet<int>(relevant[u]);
            for (var j = 0; j < Math.Min(list.Count, options.CoverageCutoff); j++)
            {
                covered.Add(list[j]);
            }

            if (truth.Count == 0)
            {
                continue;
            }

            users++;
            var hits = 0;
            var dcg = 0d;
            var averagePrecision = 0d;
            var reciprocalRank = 0d;
            var nextK = 0;
            for (var j = 1; j <= maxK; j++)
            {
                if (j <= list.Count && truth.Contains(list[j - 1]))
                {
                    hits++;
                    dcg += discount[j];
                    if (j <= options.MapCutoff)
                    {
                        averagePrecision += (double)hits / j;
                    }

                    if (reciprocalRank == 0 && j <= options.MrrCutoff)
                    {
                        reciprocalRank = 1d / j;
                    }
                }

                while (nextK < ks.Length && ks[nextK] == j)
                {
                    var k = ks[nextK];
                    var ideal = 0d;
                    for (var i = 1; i <= Math.Min(truth.Count, k); i++)
                    {
                        ideal += discount[i];
                    }

                    ndcg[nextK] += dcg / ideal;
                    precision[nextK] += (double)hits / k;
                    recall[nextK] += (double)hits / truth.Count;
                    nextK++;
                }
            }

            map += averagePrecision / truth.Count;
            mapAtK += averagePrecision / Math.Min(truth.Count, options.MapCutoff);
            mrr += reciprocalRank;
        }

        var scale = users == 0 ? double.NaN : 1d / users;
        var ndcgByK = new Dictionary<int, double>();
        var precisionByK = new Dictionary<int, double>();
        var recallByK = new Dictionary<int, double>();
        for (var i = 0; i < ks.Length; i++)
        {
            ndcgByK[ks[i]] = ndcg[i] * scale;
            precisionByK[ks[i]] = precision[i] * scale;
            recallByK[ks[i]] = recall[i] * scale;
        }

        var coverage = catalogSize > 0 ? (double)covered.Count / catalogSize : double.NaN;
        return new RankingMetrics(users, map * scale, mapAtK * scale, mrr * scale, coverage, ndcgByK, precisionByK, recallByK);
    }
}
