using Recsys.Algorithms.Data;
using Recsys.Algorithms.Numerics;

namespace Recsys.Algorithms.Tests;

internal static class TestMatrices
{
    /// <summary>
    /// 4 users × 4 items:
    /// u0: 0 1 ; u1: 0 1 2 ; u2: 1 2 ; u3: 3.
    /// </summary>
    public static InteractionMatrix Tiny() => InteractionMatrix.FromCoordinates(
        4,
        4,
        [0, 0, 1, 1, 1, 2, 2, 3],
        [0, 1, 0, 1, 2, 1, 2, 3],
        [1, 1, 1, 1, 1, 1, 1, 1]);

    /// <summary>A random binary matrix with a popularity skew, deterministic for the seed.</summary>
    public static InteractionMatrix Random(int users, int items, int perUser, ulong seed)
    {
        var random = new SplitMix64(seed);
        var u = new List<int>();
        var i = new List<int>();
        for (var user = 0; user < users; user++)
        {
            for (var e = 0; e < perUser; e++)
            {
                var r = random.NextSingle();
                u.Add(user);
                i.Add((int)(r * r * items) % items);
            }
        }

        return InteractionMatrix.FromCoordinates(users, items, [.. u], [.. i], Enumerable.Repeat(1f, u.Count).ToArray(), merge: DuplicateMerge.Max);
    }
}
