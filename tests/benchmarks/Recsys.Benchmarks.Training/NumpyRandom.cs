namespace Recsys.Benchmarks;

/// <summary>
/// numpy's <c>np.random.default_rng(seed)</c> (SeedSequence → PCG64 XSL-RR 128/64) and its float32
/// <c>Generator.random(dtype=np.float32)</c>, bit for bit. The implicit library (0.7.x) initialises ALS with
/// <c>default_rng(random_state).random((users, factors), dtype=float32) * 0.01</c>, then the same for items, so
/// with this generator our trainer can start from implicit's exact initial factors.
/// </summary>
internal sealed class NumpyRandom
{
    private static readonly UInt128 s_multiplier = new(0x2360ED051FC65DA4UL, 0x4385DF649FCCF645UL);
    private UInt128 _state;
    private readonly UInt128 _increment;
    private bool _hasHalf;
    private uint _half;

    /// <summary><c>np.random.default_rng(seed)</c> for a seed below 2³².</summary>
    public NumpyRandom(uint seed)
    {
        // SeedSequence(seed): a pool of 4 uint32 words mixed from the entropy [seed], then generate_state(4, uint64).
        const uint InitA = 0x43b0d7e5, MultA = 0x931e8875, InitB = 0x8b51f9dd, MultB = 0x58f38ded;
        const uint MixMultL = 0xca01f9dd, MixMultR = 0x4973f715;
        var hashConst = InitA;
        uint HashMix(uint value)
        {
            value ^= hashConst;
            hashConst *= MultA;
            value *= hashConst;
            return value ^ (value >> 16);
        }

        static uint Mix(uint x, uint y)
        {
            var result = (MixMultL * x) - (MixMultR * y);
            return result ^ (result >> 16);
        }

        var pool = new uint[4];
        for (var i = 0; i < pool.Length; i++)
        {
            pool[i] = HashMix(i == 0 ? seed : 0);
        }

        for (var source = 0; source < pool.Length; source++)
        {
            for (var target = 0; target < pool.Length; target++)
            {
                if (source != target)
                {
                    pool[target] = Mix(pool[target], HashMix(pool[source]));
                }
            }
        }

        var words = new ulong[4];
        var generateConst = InitB;
        for (var i = 0; i < 8; i++)
        {
            var value = pool[i % 4] ^ generateConst;
            generateConst *= MultB;
            value *= generateConst;
            value ^= value >> 16;
            words[i / 2] |= (ulong)value << (32 * (i % 2));
        }

        // PCG64: state = initstate (words 0, 1), stream = initseq (words 2, 3), as pcg_setseq_128_srandom_r.
        _increment = (new UInt128(words[2], words[3]) << 1) | 1;
        _state = 0;
        Step();
        _state += new UInt128(words[0], words[1]);
        Step();
    }

    /// <summary>The next float32 of <c>Generator.random(dtype=np.float32)</c>: 24 random bits in [0, 1).</summary>
    public float NextSingle() => (NextUInt32() >> 8) * (1f / 16777216f);

    private uint NextUInt32()
    {
        if (_hasHalf)
        {
            _hasHalf = false;
            return _half;
        }

        var next = NextUInt64();
        _hasHalf = true;
        _half = (uint)(next >> 32);
        return (uint)next;
    }

    private ulong NextUInt64()
    {
        Step();
        var folded = (ulong)(_state >> 64) ^ (ulong)_state;
        return ulong.RotateRight(folded, (int)(_state >> 122));
    }

    private void Step() => _state = (_state * s_multiplier) + _increment;
}
