using Recsys.Algorithms.Data;
using Recsys.Algorithms.Similarity;

namespace Recsys.Algorithms.Tests;

public class SimilarityTests
{
    // Tiny: item users: 0 {u0,u1}, 1 {u0,u1,u2}, 2 {u1,u2}, 3 {u3}.
    // Co-occurrence: C01 = 2, C02 = 1, C12 = 2; item 3 co-occurs with nothing.
    [Fact]
    public void Jaccard_similarity_matches_hand_computation()
    {
        var model = new ItemSimilarityTrainer(new ItemSimilarityOptions { Similarity = SimilarityKind.Jaccard }).Fit(TestMatrices.Tiny());

        Assert.Equal([1, 2], model.Neighbors(0).ToArray());
        Assert.Equal(2f / (2 + 3 - 2), model.Similarities(0)[0], 6);
        Assert.Equal(1f / (2 + 2 - 1), model.Similarities(0)[1], 6);
        Assert.Equal([0, 2], model.Neighbors(1).ToArray()); // tie 2/3 and 2/3: ascending index
        Assert.True(model.Neighbors(3).IsEmpty);
    }

    [Fact]
    public void Lift_cosine_and_cooccurrence_match_hand_computation()
    {
        var m = TestMatrices.Tiny();
        var lift = new ItemSimilarityTrainer(new ItemSimilarityOptions { Similarity = SimilarityKind.Lift }).Fit(m);
        var cosine = new ItemSimilarityTrainer(new ItemSimilarityOptions { Similarity = SimilarityKind.Cosine }).Fit(m);
        var count = new ItemSimilarityTrainer(new ItemSimilarityOptions { Similarity = SimilarityKind.Cooccurrence }).Fit(m);

        Assert.Equal(1f / (2 * 2), lift.SimilarItems(0, 5).Single(s => s.Item == 2).Score, 6);
        Assert.Equal(2f / MathF.Sqrt(6), cosine.SimilarItems(0, 5).Single(s => s.Item == 1).Score, 6);
        Assert.Equal(2f, count.SimilarItems(1, 5)[0].Score);
    }

    [Fact]
    public void Min_cointeraction_count_pruning_and_popularity_discount_apply()
    {
        var m = TestMatrices.Tiny();
        var pruned = new ItemSimilarityTrainer(new ItemSimilarityOptions { MinCointeractionCount = 2 }).Fit(m);
        Assert.Equal([1], pruned.Neighbors(0).ToArray());

        var top1 = new ItemSimilarityTrainer(new ItemSimilarityOptions { MaxNeighbors = 1 }).Fit(m);
        Assert.Equal(1, top1.Neighbors(1).Length);

        var discounted = new ItemSimilarityTrainer(new ItemSimilarityOptions { Similarity = SimilarityKind.Cooccurrence, PopularityDiscountFactor = 1f }).Fit(m);
        Assert.Equal(2f / 3f, discounted.SimilarItems(0, 5).Single(s => s.Item == 1).Score, 6);
        Assert.Equal(1f / 2f, discounted.SimilarItems(0, 5).Single(s => s.Item == 2).Score, 6);
    }

    [Fact]
    public void User_score_is_the_weighted_sum_of_history_rows()
    {
        var model = new ItemSimilarityTrainer(new ItemSimilarityOptions { Similarity = SimilarityKind.Cooccurrence }).Fit(TestMatrices.Tiny());
        var scores = new float[4];
        model.Score([0, 2], [1f, 2f], scores);

        // row 0: {1: 2, 2: 1}; row 2: {0: 1, 1: 2} weighted by 2.
        Assert.Equal([2f, 2f + 4f, 1f, 0f], scores);
        var top = model.Recommend([0, 2], [1f, 2f], 3);
        Assert.Equal([1, 3], top.Select(s => s.Item).ToArray());
    }

    [Fact]
    public void Cosine_knn_includes_the_item_itself()
    {
        var model = new ItemKnnTrainer(new ItemKnnOptions { Weighting = ItemKnnWeighting.Cosine, Neighbors = 2 }).Fit(TestMatrices.Tiny());

        // Item 0: self 1, then item 1 (2/√6 ≈ 0.816) beats item 2 (1/2).
        Assert.Equal([0, 1], model.Neighbors(0).ToArray());
        Assert.Equal(1f, model.Similarities(0)[0], 6);
        Assert.Equal([3], model.Neighbors(3).ToArray());
    }

    [Fact]
    public void Bm25_knn_uses_the_documented_weights()
    {
        var m = TestMatrices.Tiny();
        var model = new ItemKnnTrainer(new ItemKnnOptions { Weighting = ItemKnnWeighting.Bm25, Neighbors = 10 }).Fit(m);

        // w_ui = (K1+1) / (K1·((1−B) + B·n_i/mean(n)) + 1) · (ln 4 − ln(1 + |I_u|)); mean(n) = 8/4 = 2.
        static double W(int n, int length) => 2.2 / ((1.2 * (0.25 + (0.75 * n / 2.0))) + 1) * (Math.Log(4) - Math.Log(1 + length));
        var expected01 = (W(2, 2) * W(3, 2)) + (W(2, 3) * W(3, 3));
        Assert.Equal(expected01, model.SimilarItems(0, 10).Single(s => s.Item == 1).Score, 5);
    }

    [Fact]
    public void Rp3beta_matches_hand_computation()
    {
        var model = new Rp3BetaTrainer(new Rp3BetaOptions { Alpha = 1, Beta = 0.5f }).Fit(TestMatrices.Tiny());

        // W[0, 1] = Σ_{u ∈ {u0, u1}} (1/n_0)(1/|I_u|) / √n_1 = (1/2)(1/2 + 1/3) / √3.
        Assert.Equal(0.5f * ((1f / 2) + (1f / 3)) / MathF.Sqrt(3), model.SimilarItems(0, 5).Single(s => s.Item == 1).Score, 6);
    }

    [Fact]
    public void Similarity_model_does_not_depend_on_parallelism()
    {
        var m = TestMatrices.Random(300, 200, 20, 9);
        var one = new ItemKnnTrainer(new ItemKnnOptions { Weighting = ItemKnnWeighting.Bm25, MaxDegreeOfParallelism = 1 }).Fit(m);
        var many = new ItemKnnTrainer(new ItemKnnOptions { Weighting = ItemKnnWeighting.Bm25, MaxDegreeOfParallelism = 4 }).Fit(m);

        Assert.Equal(Bytes(one), Bytes(many));
    }

    internal static byte[] Bytes(RecommenderModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }
}
