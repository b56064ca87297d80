using Recsys.Algorithms.Data;
using Recsys.Algorithms.Serialization;

namespace Recsys.Core.Solutions;

/// <summary>
/// Learning-to-rank seam of the personalized-ranking recipe (implemented with LightGBM LambdaRank in
/// <c>Recsys.Ranking</c>, so that only that assembly depends on ML.NET).
/// </summary>
public interface ILearningToRank
{
    /// <summary>Trains a ranker on query groups of candidates with 0/1 relevance labels.</summary>
    ILearnedRanker Train(RankingTrainingSet data, RankerSettings settings);

    /// <summary>Reads a ranker written by <see cref="ILearnedRanker.Serialize"/>.</summary>
    ILearnedRanker Load(byte[] bytes);
}

/// <summary>A trained ranker: scores rows of <see cref="FeatureCount"/> features; higher is better.</summary>
public interface ILearnedRanker
{
    /// <summary>Features per row.</summary>
    int FeatureCount { get; }

    /// <summary>Scores <c>scores.Length</c> rows laid out row-major in <paramref name="features"/>.</summary>
    void Score(ReadOnlySpan<float> features, Span<float> scores);

    /// <summary>The ranker as bytes, for the model artifact.</summary>
    byte[] Serialize();
}

/// <summary>Ranking training data: row-major features, labels (0 or 1) and the query group (user) of every row, rows of a group contiguous.</summary>
/// <param name="Features">Row-major features.</param>
/// <param name="FeatureCount">Features per row.</param>
/// <param name="Labels">Relevance per row.</param>
/// <param name="Groups">Group id per row, non-decreasing.</param>
public sealed record RankingTrainingSet(float[] Features, int FeatureCount, float[] Labels, int[] Groups);

/// <summary>LambdaRank settings.</summary>
/// <param name="Trees">Boosting iterations.</param>
/// <param name="Leaves">Leaves per tree.</param>
/// <param name="LearningRate">Shrinkage.</param>
/// <param name="Seed">Seed.</param>
public sealed record RankerSettings(int Trees, int Leaves, double LearningRate, int Seed);

/// <summary>
/// The features the learned ranker sees for a (user, candidate) pair: the collaborative score, its rank and
/// standardized value in the candidate list, item popularity, recency and age, the user's history length, and the
/// overlap of the item's metadata with the metadata of the user's history.
/// </summary>
public sealed class RankingFeatures
{
    /// <summary>Features per candidate.</summary>
    public const int Count = 8;

    private readonly float[] _popularity;
    private readonly float[] _daysSinceLast;
    private readonly float[] _ageDays;
    private readonly int[] _tokenOffsets;
    private readonly int[] _tokenIds;

    /// <summary>Item statistics from <paramref name="matrix"/> and tokens from the dataset.</summary>
    public RankingFeatures(InteractionMatrix matrix, int[] tokenOffsets, int[] tokenIds)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var items = matrix.ItemCount;
        var counts = matrix.ItemUserCounts();
        var first = new long[items];
        var last = new long[items];
        Array.Fill(first, long.MaxValue);
        Array.Fill(last, long.MinValue);
        var now = long.MinValue;
        if (matrix.HasTimestamps)
        {
            var itemIndices = matrix.ItemIndices;
            var times = matrix.Timestamps;
            for (var p = 0; p < itemIndices.Length; p++)
            {
                var i = itemIndices[p];
                first[i] = Math.Min(first[i], times[p]);
                last[i] = Math.Max(last[i], times[p]);
                now = Math.Max(now, times[p]);
            }
        }

        _popularity = new float[items];
        _daysSinceLast = new float[items];
        _ageDays = new float[items];
        for (var i = 0; i < items; i++)
        {
            _popularity[i] = MathF.Log(1 + counts[i]);
            _daysSinceLast[i] = last[i] == long.MinValue ? 3650f : (now - last[i]) / 86_400f;
            _ageDays[i] = first[i] == long.MaxValue ? 0f : (now - first[i]) / 86_400f;
        }

        _tokenOffsets = tokenOffsets;
        _tokenIds = tokenIds;
    }

    /// <summary>
    /// Writes <see cref="Count"/> features per candidate (row-major) for a user with <paramref name="history"/>,
    /// whose candidates came with <paramref name="baseScores"/> in this order (best first).
    /// </summary>
    public void Compute(ReadOnlySpan<int> history, ReadOnlySpan<int> candidates, ReadOnlySpan<float> baseScores, Span<float> features)
    {
        var profile = new HashSet<int>();
        foreach (var h in history)
        {
            if ((uint)h < (uint)(_tokenOffsets.Length - 1))
            {
                for (var p = _tokenOffsets[h]; p < _tokenOffsets[h + 1]; p++)
                {
                    profile.Add(_tokenIds[p]);
                }
            }
        }

        double mean = 0, square = 0;
        foreach (var s in baseScores)
        {
            mean += s;
            square += (double)s * s;
        }

        mean /= Math.Max(1, baseScores.Length);
        var deviation = Math.Sqrt(Math.Max(0, (square / Math.Max(1, baseScores.Length)) - (mean * mean)));
        var historyLength = MathF.Log(1 + history.Length);
        for (var c = 0; c < candidates.Length; c++)
        {
            var item = candidates[c];
            var row = features.Slice(c * Count, Count);
            row[0] = baseScores[c];
            row[1] = c / (float)Math.Max(1, candidates.Length);
            row[2] = deviation > 0 ? (float)((baseScores[c] - mean) / deviation) : 0f;
            row[3] = _popularity[item];
            row[4] = MathF.Log(1 + _daysSinceLast[item]);
            row[5] = MathF.Log(1 + _ageDays[item]);
            row[6] = historyLength;
            var tokens = _tokenOffsets[item + 1] - _tokenOffsets[item];
            var shared = 0;
            for (var p = _tokenOffsets[item]; p < _tokenOffsets[item + 1]; p++)
            {
                shared += profile.Contains(_tokenIds[p]) ? 1 : 0;
            }

            row[7] = tokens == 0 ? 0f : shared / (float)tokens;
        }
    }

    /// <summary>Writes the statistics for the model artifact.</summary>
    internal void Write(BinaryWriter writer)
    {
        BinaryArrays.Write(writer, _popularity);
        BinaryArrays.Write(writer, _daysSinceLast);
        BinaryArrays.Write(writer, _ageDays);
    }

    /// <summary>Reads statistics written by <see cref="Write"/>.</summary>
    internal static RankingFeatures Read(BinaryReader reader, int[] tokenOffsets, int[] tokenIds)
        => new(BinaryArrays.Read<float>(reader), BinaryArrays.Read<float>(reader), BinaryArrays.Read<float>(reader), tokenOffsets, tokenIds);

    private RankingFeatures(float[] popularity, float[] daysSinceLast, float[] ageDays, int[] tokenOffsets, int[] tokenIds)
    {
        _popularity = popularity;
        _daysSinceLast = daysSinceLast;
        _ageDays = ageDays;
        _tokenOffsets = tokenOffsets;
        _tokenIds = tokenIds;
    }
}
