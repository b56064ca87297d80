using Recsys.Algorithms.Evaluation;

namespace Recsys.Algorithms.Tests;

public sealed class PairedGainTests
{
    [Fact]
    public void The_gain_is_the_mean_paired_difference_with_its_standard_error_over_all_users_or_one_fold()
    {
        double[] trial = [1, 2, 3, 4];
        double[] current = [0, 0, 0, 0];

        var all = PairedGain.Of(trial, current);
        Assert.Equal(4, all.Count);
        Assert.Equal(2.5, all.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3) / 2, all.StandardError, 12); // sample sd √(5/3), over √4

        // Only the users of fold 1: differences 2 and 4.
        var fold = PairedGain.Of(trial, current, [0, 1, 0, 1], 1);
        Assert.Equal(2, fold.Count);
        Assert.Equal(3, fold.Mean, 12);
        Assert.Equal(1, fold.StandardError, 12); // sd √2, over √2

        // The same gain for every user has no noise; one user has no standard error.
        Assert.Equal(0, PairedGain.Of([2.0, 3.0], [1.0, 2.0]).StandardError);
        Assert.Equal(new PairedGain(-1, 0, 1), PairedGain.Of([1.0], [2.0]));
        Assert.Equal(new PairedGain(0, 0, 0), PairedGain.Of(trial, current, [0, 0, 0, 0], 1));
        Assert.Throws<ArgumentException>(() => PairedGain.Of(trial, [0.0]));
    }
}
