namespace Recsys.Algorithms.Data;

/// <summary>
/// An immutable sparse users × items matrix of interaction weights, stored as CSR (one row per user, item
/// indices ascending) with an optional timestamp per cell, and a column view (CSC, one column per item, user
/// indices ascending) built on first use.
/// </summary>
/// <remarks>
/// This is the data contract between ingestion and training: user and item indices are dense, 0-based and
/// assigned by the caller (the protocol maps ids in ascending order). Each (user, item) pair occurs once; several
/// events of the same pair are merged by <see cref="DuplicateMerge"/> and keep the latest timestamp.
/// Storage is plain <see cref="int"/>, <see cref="float"/> and <see cref="long"/> arrays.
/// </remarks>
public sealed class InteractionMatrix
{
    private readonly int[] _rowOffsets;
    private readonly int[] _itemIndices;
    private readonly float[] _weights;
    private readonly long[]? _timestamps;
    private readonly Lock _columnLock = new();
    private ColumnView? _columns;

    private InteractionMatrix(int userCount, int itemCount, int[] rowOffsets, int[] itemIndices, float[] weights, long[]? timestamps)
    {
        UserCount = userCount;
        ItemCount = itemCount;
        _rowOffsets = rowOffsets;
        _itemIndices = itemIndices;
        _weights = weights;
        _timestamps = timestamps;
    }

    /// <summary>Number of rows (users).</summary>
    public int UserCount { get; }

    /// <summary>Number of columns (items).</summary>
    public int ItemCount { get; }

    /// <summary>Number of stored (user, item) cells after merging duplicates.</summary>
    public int NonZeroCount => _itemIndices.Length;

    /// <summary>Whether a timestamp is stored for every cell.</summary>
    public bool HasTimestamps => _timestamps is not null;

    /// <summary>CSR row offsets: row <c>u</c> occupies <c>[RowOffsets[u], RowOffsets[u + 1])</c> of the cell arrays.</summary>
    public ReadOnlySpan<int> RowOffsets => _rowOffsets;

    /// <summary>CSR item index of every cell, ascending within a row.</summary>
    public ReadOnlySpan<int> ItemIndices => _itemIndices;

    /// <summary>CSR weight of every cell.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>CSR timestamp of every cell (empty when <see cref="HasTimestamps"/> is false).</summary>
    public ReadOnlySpan<long> Timestamps => _timestamps;

    /// <summary>CSC column offsets: column <c>i</c> occupies <c>[ColumnOffsets[i], ColumnOffsets[i + 1])</c> of the column arrays.</summary>
    public ReadOnlySpan<int> ColumnOffsets => Columns.Offsets;

    /// <summary>CSC user index of every cell, ascending within a column.</summary>
    public ReadOnlySpan<int> UserIndices => Columns.UserIndices;

    /// <summary>CSC weight of every cell.</summary>
    public ReadOnlySpan<float> ColumnWeights => Columns.Weights;

    internal int[] RowOffsetArray => _rowOffsets;

    internal int[] ItemIndexArray => _itemIndices;

    internal float[] WeightArray => _weights;

    internal int[] ColumnOffsetArray => Columns.Offsets;

    internal int[] UserIndexArray => Columns.UserIndices;

    internal float[] ColumnWeightArray => Columns.Weights;

    private ColumnView Columns
    {
        get
        {
            var columns = Volatile.Read(ref _columns);
            if (columns is not null)
            {
                return columns;
            }

            lock (_columnLock)
            {
                return _columns ??= BuildColumns();
            }
        }
    }

    /// <summary>The item indices of user <paramref name="user"/>'s row, ascending.</summary>
    public ReadOnlySpan<int> RowItems(int user) => _itemIndices.AsSpan(_rowOffsets[user], _rowOffsets[user + 1] - _rowOffsets[user]);

    /// <summary>The weights of user <paramref name="user"/>'s row, aligned with <see cref="RowItems"/>.</summary>
    public ReadOnlySpan<float> RowWeights(int user) => _weights.AsSpan(_rowOffsets[user], _rowOffsets[user + 1] - _rowOffsets[user]);

    /// <summary>The timestamps of user <paramref name="user"/>'s row (empty without timestamps).</summary>
    public ReadOnlySpan<long> RowTimestamps(int user) =>
        _timestamps is null ? default : _timestamps.AsSpan(_rowOffsets[user], _rowOffsets[user + 1] - _rowOffsets[user]);

    /// <summary>Number of cells in user <paramref name="user"/>'s row.</summary>
    public int RowLength(int user) => _rowOffsets[user + 1] - _rowOffsets[user];

    /// <summary>The user indices of item <paramref name="item"/>'s column, ascending.</summary>
    public ReadOnlySpan<int> ColumnUsers(int item)
    {
        var c = Columns;
        return c.UserIndices.AsSpan(c.Offsets[item], c.Offsets[item + 1] - c.Offsets[item]);
    }

    /// <summary>The weights of item <paramref name="item"/>'s column, aligned with <see cref="ColumnUsers"/>.</summary>
    public ReadOnlySpan<float> ColumnValues(int item)
    {
        var c = Columns;
        return c.Weights.AsSpan(c.Offsets[item], c.Offsets[item + 1] - c.Offsets[item]);
    }

    /// <summary>Number of cells in item <paramref name="item"/>'s column (its number of distinct users).</summary>
    public int ColumnLength(int item)
    {
        var c = Columns;
        return c.Offsets[item + 1] - c.Offsets[item];
    }

    /// <summary>
    /// Builds a matrix from coordinate arrays (one entry per event). Pairs that occur more than once are merged by
    /// <paramref name="merge"/> and keep their largest timestamp.
    /// </summary>
    /// <param name="userCount">Number of users; every user index is in <c>[0, userCount)</c>.</param>
    /// <param name="itemCount">Number of items; every item index is in <c>[0, itemCount)</c>.</param>
    /// <param name="users">User index of each event.</param>
    /// <param name="items">Item index of each event.</param>
    /// <param name="weights">Weight of each event (e.g. 1 for implicit feedback).</param>
    /// <param name="timestamps">Optional timestamp of each event (any unit, e.g. Unix seconds); empty for none.</param>
    /// <param name="merge">How duplicate pairs are merged.</param>
    /// <exception cref="ArgumentException">Array lengths differ or an index is out of range.</exception>
    public static InteractionMatrix FromCoordinates(
        int userCount,
        int itemCount,
        ReadOnlySpan<int> users,
        ReadOnlySpan<int> items,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<long> timestamps = default,
        DuplicateMerge merge = DuplicateMerge.Sum)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        var n = users.Length;
        if (items.Length != n || weights.Length != n || (!timestamps.IsEmpty && timestamps.Length != n))
        {
            throw new ArgumentException("users, items, weights (and timestamps, when given) must have the same length.");
        }

        // Two stable counting sorts (by item, then by user) give rows with ascending items and duplicates adjacent.
        var itemStart = new int[itemCount + 1];
        for (var e = 0; e < n; e++)
        {
            var i = items[e];
            if ((uint)i >= (uint)itemCount)
            {
                throw new ArgumentException($"Item index {i} at position {e} is outside [0, {itemCount}).", nameof(items));
            }

            itemStart[i + 1]++;
        }

        for (var i = 0; i < itemCount; i++)
        {
            itemStart[i + 1] += itemStart[i];
        }

        var byItem = new int[n];
        for (var e = 0; e < n; e++)
        {
            byItem[itemStart[items[e]]++] = e;
        }

        var userStart = new int[userCount + 1];
        for (var e = 0; e < n; e++)
        {
            var u = users[e];
            if ((uint)u >= (uint)userCount)
            {
                throw new ArgumentException($"User index {u} at position {e} is outside [0, {userCount}).", nameof(users));
            }

            userStart[u + 1]++;
        }

        for (var u = 0; u < userCount; u++)
        {
            userStart[u + 1] += userStart[u];
        }

        var order = new int[n];
        var cursor = userStart.AsSpan(0, userCount).ToArray();
        foreach (var e in byItem)
        {
            order[cursor[users[e]]++] = e;
        }

        // Merge adjacent duplicates in place of the output arrays.
        var rowOffsets = new int[userCount + 1];
        var outItems = new int[n];
        var outWeights = new float[n];
        var outTimes = timestamps.IsEmpty ? null : new long[n];
        var count = 0;
        for (var u = 0; u < userCount; u++)
        {
            rowOffsets[u] = count;
            var rowStart = count;
            for (var p = userStart[u]; p < userStart[u + 1]; p++)
            {
                var e = order[p];
                var item = items[e];
                if (count > rowStart && outItems[count - 1] == item)
                {
                    outWeights[count - 1] = merge == DuplicateMerge.Sum
                        ? outWeights[count - 1] + weights[e]
                        : Math.Max(outWeights[count - 1], weights[e]);
                    if (outTimes is not null)
                    {
                        outTimes[count - 1] = Math.Max(outTimes[count - 1], timestamps[e]);
                    }

                    continue;
                }

                outItems[count] = item;
                outWeights[count] = weights[e];
                if (outTimes is not null)
                {
                    outTimes[count] = timestamps[e];
                }

                count++;
            }
        }

        rowOffsets[userCount] = count;
        if (count < n)
        {
            Array.Resize(ref outItems, count);
            Array.Resize(ref outWeights, count);
            if (outTimes is not null)
            {
                Array.Resize(ref outTimes, count);
            }
        }

        return new InteractionMatrix(userCount, itemCount, rowOffsets, outItems, outWeights, outTimes);
    }

    /// <summary>
    /// Builds a matrix directly from CSR arrays, which it takes ownership of. Item indices must be strictly
    /// ascending within each row.
    /// </summary>
    /// <exception cref="ArgumentException">The arrays are inconsistent.</exception>
    public static InteractionMatrix FromCsr(int userCount, int itemCount, int[] rowOffsets, int[] itemIndices, float[] weights, long[]? timestamps = null)
    {
        ArgumentNullException.ThrowIfNull(rowOffsets);
        ArgumentNullException.ThrowIfNull(itemIndices);
        ArgumentNullException.ThrowIfNull(weights);
        if (rowOffsets.Length != userCount + 1 || rowOffsets[0] != 0 || rowOffsets[userCount] != itemIndices.Length
            || weights.Length != itemIndices.Length || (timestamps is not null && timestamps.Length != itemIndices.Length))
        {
            throw new ArgumentException("CSR arrays have inconsistent lengths.");
        }

        for (var u = 0; u < userCount; u++)
        {
            var previous = -1;
            for (var p = rowOffsets[u]; p < rowOffsets[u + 1]; p++)
            {
                var i = itemIndices[p];
                if (i <= previous || i >= itemCount)
                {
                    throw new ArgumentException($"Row {u} has item indices that are not strictly ascending within [0, {itemCount}).");
                }

                previous = i;
            }
        }

        return new InteractionMatrix(userCount, itemCount, rowOffsets, itemIndices, weights, timestamps);
    }

    /// <summary>A matrix with the same cells and every weight set to 1 (implicit, binary feedback).</summary>
    public InteractionMatrix Binarize() => WithWeights(static (_, _) => 1f);

    /// <summary>
    /// A matrix with the same cells and weights computed by <paramref name="weight"/> from the current weight and
    /// the cell's position in <see cref="Weights"/> (so a caller can look up <see cref="Timestamps"/>).
    /// </summary>
    public InteractionMatrix WithWeights(Func<float, int, float> weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var weights = new float[_weights.Length];
        for (var p = 0; p < weights.Length; p++)
        {
            weights[p] = weight(_weights[p], p);
        }

        return new InteractionMatrix(UserCount, ItemCount, _rowOffsets, _itemIndices, weights, _timestamps);
    }

    /// <summary>The transpose (items × users), sharing this matrix's column arrays. Timestamps are not carried over.</summary>
    public InteractionMatrix Transpose()
    {
        var c = Columns;
        return new InteractionMatrix(ItemCount, UserCount, c.Offsets, c.UserIndices, c.Weights, null);
    }

    /// <summary>
    /// The matrix restricted to the columns <paramref name="items"/> (ascending), renumbered 0..items.Length−1 in that
    /// order; rows keep their users, cells their weights and timestamps.
    /// </summary>
    /// <exception cref="ArgumentException">The items are not strictly ascending within [0, <see cref="ItemCount"/>).</exception>
    public InteractionMatrix SelectColumns(ReadOnlySpan<int> items)
    {
        var column = new int[ItemCount];
        Array.Fill(column, -1);
        for (var k = 0; k < items.Length; k++)
        {
            if ((uint)items[k] >= (uint)ItemCount || (k > 0 && items[k] <= items[k - 1]))
            {
                throw new ArgumentException($"Items must be strictly ascending within [0, {ItemCount}).", nameof(items));
            }

            column[items[k]] = k;
        }

        var offsets = new int[UserCount + 1];
        var count = 0;
        foreach (var i in _itemIndices)
        {
            count += column[i] >= 0 ? 1 : 0;
        }

        var outItems = new int[count];
        var outWeights = new float[count];
        var outTimes = _timestamps is null ? null : new long[count];
        var q = 0;
        for (var u = 0; u < UserCount; u++)
        {
            for (var p = _rowOffsets[u]; p < _rowOffsets[u + 1]; p++)
            {
                var c = column[_itemIndices[p]];
                if (c < 0)
                {
                    continue;
                }

                outItems[q] = c;
                outWeights[q] = _weights[p];
                if (outTimes is not null)
                {
                    outTimes[q] = _timestamps![p];
                }

                q++;
            }

            offsets[u + 1] = q;
        }

        return new InteractionMatrix(UserCount, items.Length, offsets, outItems, outWeights, outTimes);
    }

    /// <summary>Number of users of each item (column lengths).</summary>
    public int[] ItemUserCounts()
    {
        var counts = new int[ItemCount];
        foreach (var i in _itemIndices)
        {
            counts[i]++;
        }

        return counts;
    }

    private ColumnView BuildColumns()
    {
        var offsets = new int[ItemCount + 1];
        foreach (var i in _itemIndices)
        {
            offsets[i + 1]++;
        }

        for (var i = 0; i < ItemCount; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        var cursor = offsets.AsSpan(0, ItemCount).ToArray();
        var users = new int[_itemIndices.Length];
        var weights = new float[_itemIndices.Length];
        for (var u = 0; u < UserCount; u++)
        {
            for (var p = _rowOffsets[u]; p < _rowOffsets[u + 1]; p++)
            {
                var q = cursor[_itemIndices[p]]++;
                users[q] = u;
                weights[q] = _weights[p];
            }
        }

        return new ColumnView(offsets, users, weights);
    }

    private sealed record ColumnView(int[] Offsets, int[] UserIndices, float[] Weights);
}
