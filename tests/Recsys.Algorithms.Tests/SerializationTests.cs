using Recsys.Algorithms.Ensemble;
using Recsys.Algorithms.Factorization;
using Recsys.Algorithms.Linear;
using Recsys.Algorithms.Popularity;
using Recsys.Algorithms.Similarity;

namespace Recsys.Algorithms.Tests;

public class SerializationTests
{
    public static TheoryData<string> Models => ["popularity", "sims", "knn", "rp3beta", "als", "ease", "blend"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Round_trip_gives_identical_scores(string name)
    {
        var m = TestMatrices.Random(120, 60, 10, 8);
        RecommenderModel model = name switch
        {
            "popularity" => new PopularityTrainer().Fit(m),
            "sims" => new ItemSimilarityTrainer().Fit(m),
            "knn" => new ItemKnnTrainer(new ItemKnnOptions { Weighting = ItemKnnWeighting.Bm25 }).Fit(m),
            "rp3beta" => new Rp3BetaTrainer().Fit(m),
            "als" => new AlsTrainer(new AlsOptions { Factors = 8, Iterations = 3 }).Fit(m),
            "blend" => new BlendModel([new EaseTrainer().Fit(m), new PopularityTrainer().Fit(m)], [1f, 0.5f]),
            _ => new EaseTrainer().Fit(m),
        };

        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = RecommenderModel.Load(stream);

        Assert.Equal(model.GetType(), loaded.GetType());
        Assert.Equal(stream.Length, stream.Position);
        for (var u = 0; u < 10; u++)
        {
            Assert.Equal(EaseTests.Scores(model, m.RowItems(u)), EaseTests.Scores(loaded, m.RowItems(u)));
        }
    }

    [Fact]
    public void Foreign_or_newer_artifacts_are_rejected()
    {
        Assert.Throws<InvalidDataException>(() => RecommenderModel.Load(new MemoryStream("not a model at all"u8.ToArray())));

        using var stream = new MemoryStream();
        new PopularityModel([1f, 2f]).Save(stream);
        var bytes = stream.ToArray();
        bytes[8] = 99; // format version
        Assert.Throws<InvalidDataException>(() => RecommenderModel.Load(new MemoryStream(bytes)));
    }
}
