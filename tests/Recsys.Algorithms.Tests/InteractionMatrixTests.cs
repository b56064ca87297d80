using Recsys.Algorithms.Data;

namespace Recsys.Algorithms.Tests;

public class InteractionMatrixTests
{
    [Fact]
    public void Rows_are_sorted_and_duplicates_are_summed_with_the_latest_timestamp()
    {
        var m = InteractionMatrix.FromCoordinates(
            3,
            4,
            [1, 0, 1, 1, 2],
            [3, 2, 0, 3, 1],
            [1f, 2f, 3f, 4f, 5f],
            [10L, 20L, 30L, 5L, 50L]);

        Assert.Equal(4, m.NonZeroCount);
        Assert.Equal([2], m.RowItems(0).ToArray());
        Assert.Equal([0, 3], m.RowItems(1).ToArray());
        Assert.Equal([3f, 5f], m.RowWeights(1).ToArray());
        Assert.Equal([30L, 10L], m.RowTimestamps(1).ToArray());
        Assert.Equal([1], m.ColumnUsers(3).ToArray());
        Assert.Equal([5f], m.ColumnValues(3).ToArray());
        Assert.Equal(1, m.ColumnLength(0));
        Assert.Equal(1, m.RowLength(0));
    }

    [Fact]
    public void Max_merge_keeps_the_largest_weight()
    {
        var m = InteractionMatrix.FromCoordinates(1, 2, [0, 0, 0], [1, 1, 0], [2f, 5f, 1f], merge: DuplicateMerge.Max);

        Assert.Equal([0, 1], m.RowItems(0).ToArray());
        Assert.Equal([1f, 5f], m.RowWeights(0).ToArray());
    }

    [Fact]
    public void Transpose_swaps_rows_and_columns()
    {
        var m = TestMatrices.Tiny();
        var t = m.Transpose();

        Assert.Equal(m.ItemCount, t.UserCount);
        Assert.Equal([0, 1, 2], t.RowItems(1).ToArray());
        Assert.Equal([1, 2], t.RowItems(2).ToArray());
        Assert.Equal(m.NonZeroCount, t.NonZeroCount);
    }

    [Fact]
    public void Out_of_range_indices_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => InteractionMatrix.FromCoordinates(1, 1, [0], [1], [1f]));
        Assert.Throws<ArgumentException>(() => InteractionMatrix.FromCoordinates(1, 1, [2], [0], [1f]));
        Assert.Throws<ArgumentException>(() => InteractionMatrix.FromCoordinates(1, 1, [0], [0], [1f, 2f]));
    }
}
