using Recsys.Algorithms.Ensemble;
using Recsys.Algorithms.Popularity;

namespace Recsys.Algorithms.Tests;

public class BlendTests
{
    [Fact]
    public void Blend_adds_per_user_standardized_scores()
    {
        var a = new PopularityModel([1f, 2f, 3f]);
        var b = new PopularityModel([30f, 10f, 20f]);
        var scores = new float[3];
        new BlendModel([a, b], [1f, 2f]).Score([], default, scores);

        // z(a) = [-1.2247, 0, 1.2247]; z(b) = [1.2247, -1.2247, 0].
        var z = MathF.Sqrt(1.5f);
        Assert.Equal(-z + (2 * z), scores[0], 4);
        Assert.Equal(0 - (2 * z), scores[1], 4);
        Assert.Equal(z, scores[2], 4);
    }

    [Fact]
    public void Blend_rejects_mismatched_models()
    {
        Assert.Throws<ArgumentException>(() => new BlendModel([new PopularityModel([1f]), new PopularityModel([1f, 2f])], [1f, 1f]));
        Assert.Throws<ArgumentException>(() => new BlendModel([new PopularityModel([1f])], [1f, 1f]));
    }
}
