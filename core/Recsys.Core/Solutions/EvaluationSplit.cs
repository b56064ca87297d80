using Recsys.Algorithms.Data;

namespace Recsys.Core.Solutions;

/// <summary>
/// Personalize's evaluation split, plus a validation split carved from the training users. 10 % of the users
/// (chosen by a seeded hash among users with at least two interactions) are held out of training; for each, the
/// oldest 90 % of their interactions are fed in and the newest 10 % are scored. Of the remaining users, a seeded
/// sample of up to <c>maxValidationUsers</c> (every one with 3+ interactions on small data) keeps 90 % of their
/// interactions in training, and the other 10 % are the validation targets used to select and blend models, search
/// hyperparameters and train the learning-to-rank stage: half of the validation users (by a seeded hash) hold out
/// their newest 10 % (a temporal fold), the other half a seeded random 10 % (a random fold), so that the choice
/// holds both where the future looks like the recent past and where it does not.
/// </summary>
/// <remarks>
/// <para>
/// Equal timestamps are ordered by a seeded hash of the user and the item's <em>content key</em> (a hash of the set
/// of users who interacted with it), never by item index or id: indices follow the order in which items first
/// appear, so that order would hold out the rarest items (the last to appear) and the validation set would
/// measure noise. The content key makes the split independent of how items are named or ordered.
/// </para>
/// <para>
/// When time carries no order (<see cref="TimeOrdersInteractions"/>: no timestamps, all equal, or so coarse that most
/// of a user's interactions share a timestamp), every holdout — test and validation — is a seeded random 10 % of the
/// user's interactions instead.
/// </para>
/// <para>
/// The validation sample is not limited to 10 % of the users: on a few hundred users that gave a few dozen
/// validation users, whose nDCG differences between candidates were mostly noise. Holding out 10 % of more users
/// removes little from training and makes the choice stable; on large data the cap bounds the scoring cost.
/// </para>
/// </remarks>
public sealed class EvaluationSplit
{
    private const double HeldOutUserShare = 0.1;
    private const double FedShare = 0.9;

    /// <summary>Above this share of interactions tied in time with another of the same user, time is taken to carry no order.</summary>
    private const double MaxTiedShare = 0.5;

    private EvaluationSplit(InteractionMatrix fit, UserSample test, UserSample validation, int testUsers, long testInput, long testTargets, bool temporal, int temporalValidationUsers, ulong seed)
    {
        Fit = fit;
        Test = test;
        Validation = validation;
        TestUserCount = testUsers;
        TestInputCount = testInput;
        TestTargetCount = testTargets;
        IsTemporal = temporal;
        TemporalValidationUsers = temporalValidationUsers;
        ValidationFolds = [.. validation.Users.Select(u => Fold(seed, u))];
    }

    /// <summary>The training matrix: same indices as the full one, held-out users' rows empty, validation users' targets removed.</summary>
    public InteractionMatrix Fit { get; }

    /// <summary>The held-out users that are scored (all of them, or a seeded sample on large data).</summary>
    public UserSample Test { get; }

    /// <summary>The validation users (their history is their row of <see cref="Fit"/>).</summary>
    public UserSample Validation { get; }

    /// <summary>Users held out of training.</summary>
    public int TestUserCount { get; }

    /// <summary>Interactions of held-out users fed in.</summary>
    public long TestInputCount { get; }

    /// <summary>Interactions of held-out users scored against.</summary>
    public long TestTargetCount { get; }

    /// <summary>Users trained on.</summary>
    public int TrainingUserCount => Fit.UserCount - TestUserCount;

    /// <summary>Whether holdouts followed time (false: time carried no order, every holdout was random).</summary>
    public bool IsTemporal { get; }

    /// <summary>Validation users whose newest interactions were held out (the others' were a random sample).</summary>
    public int TemporalValidationUsers { get; }

    /// <summary>
    /// The fold (0 or 1) of each validation user, aligned with <see cref="Validation"/>: 0 held out its newest
    /// interactions and 1 a random sample when <see cref="IsTemporal"/>; otherwise two random halves.
    /// </summary>
    public int[] ValidationFolds { get; }

    /// <summary>One line describing the split, for the solution version's evaluation summary.</summary>
    public string Description => IsTemporal
        ? "Personalize split: 10% of users (with 2+ interactions) held out of training; each held-out user's oldest 90% of interactions fed in, newest 10% scored"
            + (Test.Count < TestUserCount ? $" (a seeded sample of {Test.Count} of the {TestUserCount} held-out users scored)" : string.Empty)
            + $"; validation: {TemporalValidationUsers} training users' newest 10% and {Validation.Count - TemporalValidationUsers} users' seeded random 10%, removed from training; equal timestamps ordered by a seeded hash."
        : "Time carries no order in this data (missing, all equal or mostly tied): 10% of users (with 2+ interactions) held out of training; each held-out user's seeded random 90% of interactions fed in, the other 10% scored"
            + (Test.Count < TestUserCount ? $" (a seeded sample of {Test.Count} of the {TestUserCount} held-out users scored)" : string.Empty)
            + $"; validation: a seeded random 10% of {Validation.Count} training users' interactions, removed from training.";

    /// <summary>Creates the split.</summary>
    /// <param name="matrix">All interactions (with timestamps when there are any).</param>
    /// <param name="seed">Seed of the user choice and of every tie-break.</param>
    /// <param name="maxValidationUsers">Most validation users (fewer when fewer training users have 3+ interactions).</param>
    /// <param name="maxScoredTestUsers">Most held-out users scored (the rest are still held out of training).</param>
    public static EvaluationSplit Create(InteractionMatrix matrix, ulong seed, int maxValidationUsers, int maxScoredTestUsers)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var users = matrix.UserCount;
        var order = Enumerable.Range(0, users).Where(u => matrix.RowLength(u) >= 2).ToArray();
        var keys = order.Select(u => Mix(seed ^ (ulong)u)).ToArray();
        Array.Sort(keys, order);
        var temporal = TimeOrdersInteractions(matrix);
        var itemKeys = ItemKeys(matrix, seed);

        var testCount = Math.Min(order.Length, (int)Math.Round(users * HeldOutUserShare));
        var role = new byte[users]; // 0 train, 1 test, 2 validation (random fold), 3 validation (temporal fold)
        for (var k = 0; k < testCount; k++)
        {
            role[order[k]] = 1;
        }

        var validationCount = 0;
        var temporalValidation = 0;
        for (var k = testCount; k < order.Length && validationCount < maxValidationUsers; k++)
        {
            var u = order[k];
            if (matrix.RowLength(u) >= 3)
            {
                // An independent hash bit (not the sort key's order) puts the user in the temporal or the random fold
                // (in one of two random folds when time carries no order).
                var inTemporalFold = temporal && Fold(seed, u) == 0;
                role[u] = inTemporalFold ? (byte)3 : (byte)2;
                validationCount++;
                temporalValidation += inTemporalFold ? 1 : 0;
            }
        }

        var offsets = new int[users + 1];
        var kept = new List<int>(matrix.NonZeroCount);
        var test = new SampleBuilder(itemKeys, seed);
        var validation = new SampleBuilder(itemKeys, seed);
        long testInput = 0, testTargets = 0;
        var scored = 0;
        for (var u = 0; u < users; u++)
        {
            var start = matrix.RowOffsets[u];
            var length = matrix.RowLength(u);
            if (role[u] == 0)
            {
                for (var p = start; p < start + length; p++)
                {
                    kept.Add(p);
                }
            }
            else
            {
                var byTime = role[u] == 3 || (role[u] == 1 && temporal);
                var (fed, held) = Holdout(matrix, u, itemKeys, seed, byTime);
                if (role[u] == 1)
                {
                    testInput += fed.Length;
                    testTargets += held.Length;
                    if (scored < maxScoredTestUsers)
                    {
                        test.Add(u, matrix, fed, held);
                        scored++;
                    }
                }
                else
                {
                    Array.Sort(fed);
                    kept.AddRange(fed);
                    validation.Add(u, matrix, fed, held);
                }
            }

            offsets[u + 1] = kept.Count;
        }

        var items = new int[kept.Count];
        var weights = new float[kept.Count];
        var times = matrix.HasTimestamps ? new long[kept.Count] : null;
        for (var k = 0; k < kept.Count; k++)
        {
            var p = kept[k];
            items[k] = matrix.ItemIndices[p];
            weights[k] = matrix.Weights[p];
            if (times is not null)
            {
                times[k] = matrix.Timestamps[p];
            }
        }

        var fit = InteractionMatrix.FromCsr(users, matrix.ItemCount, offsets, items, weights, times);
        return new EvaluationSplit(fit, test.Build(), validation.Build(), testCount, testInput, testTargets, temporal, temporalValidation, seed);
    }

    /// <summary>
    /// Whether timestamps order a user's interactions: false without timestamps, and when more than half of the
    /// interactions of users with 2+ interactions share their timestamp with another of the same user (all equal,
    /// or a granularity as coarse as the users' activity, e.g. play counts exported per day).
    /// </summary>
    public static bool TimeOrdersInteractions(InteractionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (!matrix.HasTimestamps)
        {
            return false;
        }

        long cells = 0, tied = 0;
        var buffer = new List<long>();
        for (var u = 0; u < matrix.UserCount; u++)
        {
            var times = matrix.RowTimestamps(u);
            if (times.Length < 2)
            {
                continue;
            }

            buffer.Clear();
            foreach (var t in times)
            {
                buffer.Add(t);
            }

            buffer.Sort();
            for (var k = 0; k < buffer.Count; k++)
            {
                var same = (k > 0 && buffer[k - 1] == buffer[k]) || (k + 1 < buffer.Count && buffer[k + 1] == buffer[k]);
                tied += same ? 1 : 0;
            }

            cells += buffer.Count;
        }

        return cells > 0 && tied <= MaxTiedShare * cells;
    }

    /// <summary>
    /// A key per item that depends only on who interacted with it (a seeded hash of its set of users), so that tie-breaks
    /// do not depend on item ids or on the order in which items first appear.
    /// </summary>
    internal static ulong[] ItemKeys(InteractionMatrix matrix, ulong seed)
    {
        var keys = new ulong[matrix.ItemCount];
        var items = matrix.ItemIndices;
        for (var u = 0; u < matrix.UserCount; u++)
        {
            var user = Mix(seed + 0x632BE59BD9B4E019UL + (ulong)u);
            for (var p = matrix.RowOffsets[u]; p < matrix.RowOffsets[u + 1]; p++)
            {
                keys[items[p]] += user;
            }
        }

        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = Mix(keys[i]);
        }

        return keys;
    }

    /// <summary>
    /// A user's cell positions split into 90 % fed (at least one) and the rest held out: the newest by time when
    /// <paramref name="byTime"/>, otherwise a seeded random sample; ties in time go by a seeded hash of user and item key.
    /// </summary>
    private static (int[] Fed, int[] Held) Holdout(InteractionMatrix matrix, int user, ulong[] itemKeys, ulong seed, bool byTime)
    {
        var start = matrix.RowOffsets[user];
        var length = matrix.RowLength(user);
        var positions = Enumerable.Range(start, length).ToArray();
        var keys = new (long Time, ulong Tie)[length];
        var userKey = UserTieKey(seed, user);
        for (var k = 0; k < length; k++)
        {
            var p = start + k;
            keys[k] = (byTime && matrix.HasTimestamps ? matrix.Timestamps[p] : 0, Mix(userKey ^ itemKeys[matrix.ItemIndices[p]]));
        }

        Array.Sort(keys, positions);
        var fed = Math.Max(1, (int)Math.Floor(length * FedShare));
        return (positions[..fed], positions[fed..]);
    }

    /// <summary>
    /// The recency rank of every stored interaction (aligned with the matrix's entries; 0 is a user's newest, capped at
    /// <see cref="RecencyBoost.MaxRank"/>), with ties in time ordered as the split orders them. All zero without timestamps.
    /// </summary>
    public static byte[] RecencyRanks(InteractionMatrix matrix, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var ranks = new byte[matrix.NonZeroCount];
        if (!matrix.HasTimestamps)
        {
            return ranks;
        }

        var itemKeys = ItemKeys(matrix, seed);
        for (var u = 0; u < matrix.UserCount; u++)
        {
            var start = matrix.RowOffsets[u];
            RowRanks(matrix, u, [.. Enumerable.Range(start, matrix.RowLength(u))], itemKeys, seed).CopyTo(ranks, start);
        }

        return ranks;
    }

    /// <summary>Recency ranks of a user's cells at <paramref name="positions"/> (aligned with them): newest time first, ties as <see cref="Holdout"/> orders them.</summary>
    private static byte[] RowRanks(InteractionMatrix matrix, int user, int[] positions, ulong[] itemKeys, ulong seed)
    {
        if (!matrix.HasTimestamps)
        {
            return new byte[positions.Length];
        }

        var userKey = UserTieKey(seed, user);
        var times = new long[positions.Length];
        var ties = new ulong[positions.Length];
        for (var k = 0; k < positions.Length; k++)
        {
            times[k] = matrix.Timestamps[positions[k]];
            ties[k] = Mix(userKey ^ itemKeys[matrix.ItemIndices[positions[k]]]);
        }

        return RecencyBoost.Ranks(times, ties);
    }

    /// <summary>A user's part of the tie-break of interactions at the same time (with the item's content key).</summary>
    private static ulong UserTieKey(ulong seed, int user) => Mix(seed ^ 0xD1B54A32D192ED03UL ^ (ulong)user);

    /// <summary>The validation fold (0 or 1) of user <paramref name="user"/>: 0 is the temporal fold when time orders interactions.</summary>
    private static int Fold(ulong seed, int user) => (int)(Mix(~seed ^ (ulong)user) & 1);

    internal static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private sealed class SampleBuilder(ulong[] itemKeys, ulong seed)
    {
        private readonly List<int> _users = [];
        private readonly List<int[]> _history = [];
        private readonly List<float[]> _weights = [];
        private readonly List<byte[]> _ranks = [];
        private readonly List<int[]> _targets = [];

        public void Add(int user, InteractionMatrix matrix, int[] fed, int[] held)
        {
            var sorted = fed.Order().ToArray();
            _users.Add(user);
            _history.Add([.. sorted.Select(p => matrix.ItemIndices[p])]);
            _weights.Add([.. sorted.Select(p => matrix.Weights[p])]);
            _ranks.Add(RowRanks(matrix, user, sorted, itemKeys, seed));
            _targets.Add([.. held.Select(p => matrix.ItemIndices[p])]);
        }

        public UserSample Build() => new([.. _users], [.. _history], [.. _weights], [.. _targets], [.. _ranks]);
    }
}

/// <summary>Users scored offline: for each, the history fed in (item indices ascending, with weights) and the target items.</summary>
/// <param name="Users">User indices.</param>
/// <param name="History">History item indices per user.</param>
/// <param name="HistoryWeights">History weights per user.</param>
/// <param name="Targets">Target item indices per user.</param>
/// <param name="HistoryRanks">Recency ranks of the history per user (aligned with <paramref name="History"/>; 0 is the newest), or null when unknown.</param>
public sealed record UserSample(int[] Users, int[][] History, float[][] HistoryWeights, int[][] Targets, byte[][]? HistoryRanks = null)
{
    /// <summary>Number of users.</summary>
    public int Count => Users.Length;

    /// <summary>
    /// The same users with <paramref name="boost"/> applied to their history weights (this sample when the boost is
    /// inactive).
    /// </summary>
    /// <exception cref="InvalidOperationException">The boost is active and the sample has no recency ranks.</exception>
    public UserSample WithRecency(RecencyBoost boost)
    {
        ArgumentNullException.ThrowIfNull(boost);
        if (!boost.IsActive)
        {
            return this;
        }

        if (HistoryRanks is null)
        {
            throw new InvalidOperationException("The sample has no recency ranks.");
        }

        var weights = new float[Count][];
        for (var u = 0; u < Count; u++)
        {
            weights[u] = HistoryWeights[u].Length == 0 ? [.. Enumerable.Repeat(1f, History[u].Length)] : (float[])HistoryWeights[u].Clone();
            boost.Apply(HistoryRanks[u], weights[u]);
        }

        return this with { HistoryWeights = weights };
    }
}
