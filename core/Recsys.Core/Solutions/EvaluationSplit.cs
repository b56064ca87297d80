using Recsys.Algorithms.Data;

namespace Recsys.Core.Solutions;

/// <summary>
/// Personalize's evaluation split, plus a validation split carved from the training users. 10 % of the users
/// (chosen by a seeded hash among users with at least two interactions) are held out of training; for each, the
/// oldest 90 % of their interactions are fed in and the newest 10 % are scored. Of the remaining users, a seeded
/// sample of up to <c>maxValidationUsers</c> (every one with 3+ interactions on small data) keeps only the oldest 90 %
/// of their interactions in training, and their newest 10 % are the validation targets used to select a model, search
/// hyperparameters and train the learning-to-rank stage.
/// </summary>
/// <remarks>
/// The validation sample is not limited to 10 % of the users: on a few hundred users that gave a few dozen
/// validation users, whose nDCG differences between candidates were mostly noise (on ml-latest-small, 61 validation
/// users preferred EASE 5λ where all 549 training users prefer λ). Taking the newest 10 % of more users removes little from
/// training and makes the choice stable; on large data the cap bounds the scoring cost.
/// </remarks>
public sealed class EvaluationSplit
{
    private const double HeldOutUserShare = 0.1;
    private const double FedShare = 0.9;

    private EvaluationSplit(InteractionMatrix fit, UserSample test, UserSample validation, int testUsers, long testInput, long testTargets)
    {
        Fit = fit;
        Test = test;
        Validation = validation;
        TestUserCount = testUsers;
        TestInputCount = testInput;
        TestTargetCount = testTargets;
    }

    /// <summary>The training matrix: same indices as the full one, held-out users' rows empty, validation users' newest interactions removed.</summary>
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

    /// <summary>Creates the split.</summary>
    /// <param name="matrix">All interactions (with timestamps).</param>
    /// <param name="seed">Seed of the user choice.</param>
    /// <param name="maxValidationUsers">Most validation users (fewer when fewer training users have 3+ interactions).</param>
    /// <param name="maxScoredTestUsers">Most held-out users scored (the rest are still held out of training).</param>
    public static EvaluationSplit Create(InteractionMatrix matrix, ulong seed, int maxValidationUsers, int maxScoredTestUsers)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var users = matrix.UserCount;
        var order = Enumerable.Range(0, users).Where(u => matrix.RowLength(u) >= 2).ToArray();
        var keys = order.Select(u => Mix(seed ^ (ulong)u)).ToArray();
        Array.Sort(keys, order);

        var testCount = Math.Min(order.Length, (int)Math.Round(users * HeldOutUserShare));
        var role = new byte[users]; // 0 train, 1 test, 2 validation
        for (var k = 0; k < testCount; k++)
        {
            role[order[k]] = 1;
        }

        var validationCount = 0;
        for (var k = testCount; k < order.Length && validationCount < maxValidationUsers; k++)
        {
            if (matrix.RowLength(order[k]) >= 3)
            {
                role[order[k]] = 2;
                validationCount++;
            }
        }

        var offsets = new int[users + 1];
        var kept = new List<int>(matrix.NonZeroCount);
        var test = new SampleBuilder();
        var validation = new SampleBuilder();
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
                var (fed, held) = SplitByTime(matrix, u);
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
        return new EvaluationSplit(fit, test.Build(), validation.Build(), testCount, testInput, testTargets);
    }

    /// <summary>A user's cell positions split into the oldest 90 % (at least one) and the newest rest, by time then item.</summary>
    private static (int[] Fed, int[] Held) SplitByTime(InteractionMatrix matrix, int user)
    {
        var start = matrix.RowOffsets[user];
        var length = matrix.RowLength(user);
        var positions = Enumerable.Range(start, length).ToArray();
        if (matrix.HasTimestamps)
        {
            var keys = new (long Time, int Item)[length];
            for (var k = 0; k < length; k++)
            {
                keys[k] = (matrix.Timestamps[start + k], matrix.ItemIndices[start + k]);
            }

            Array.Sort(keys, positions);
        }

        var fed = Math.Max(1, (int)Math.Floor(length * FedShare));
        return (positions[..fed], positions[fed..]);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private sealed class SampleBuilder
    {
        private readonly List<int> _users = [];
        private readonly List<int[]> _history = [];
        private readonly List<float[]> _weights = [];
        private readonly List<int[]> _targets = [];

        public void Add(int user, InteractionMatrix matrix, int[] fed, int[] held)
        {
            var sorted = fed.Order().ToArray();
            _users.Add(user);
            _history.Add([.. sorted.Select(p => matrix.ItemIndices[p])]);
            _weights.Add([.. sorted.Select(p => matrix.Weights[p])]);
            _targets.Add([.. held.Select(p => matrix.ItemIndices[p])]);
        }

        public UserSample Build() => new([.. _users], [.. _history], [.. _weights], [.. _targets]);
    }
}

/// <summary>Users scored offline: for each, the history fed in (item indices ascending, with weights) and the target items.</summary>
/// <param name="Users">User indices.</param>
/// <param name="History">History item indices per user.</param>
/// <param name="HistoryWeights">History weights per user.</param>
/// <param name="Targets">Target item indices per user.</param>
public sealed record UserSample(int[] Users, int[][] History, float[][] HistoryWeights, int[][] Targets)
{
    /// <summary>Number of users.</summary>
    public int Count => Users.Length;
}
