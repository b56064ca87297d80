using System.Buffers.Binary;
using System.Numerics;

namespace Recsys.Core.Events;

/// <summary>
/// Which users (or anonymous sessions) of a dataset group may have a stored history: a bit per bucket of a stable hash
/// of the id, set before the user's first history is written and never cleared. A clear bit proves the user has no
/// history, so serving skips the read for the many users who send no events; a set bit proves nothing (other users
/// share the bucket). Thread-safe: bits are set atomically.
/// </summary>
public sealed class HistoryMarks
{
    /// <summary>Buckets per dataset group: 2¹⁸ bits, 32 KiB (a quarter of them set at about 75,000 users with events).</summary>
    public const int Buckets = 1 << 18;

    /// <summary>Bytes of <see cref="ToBytes"/>.</summary>
    public const int ByteLength = Buckets / 8;

    private readonly ulong[] _words = new ulong[Buckets / 64];

    /// <summary>The marks stored as <paramref name="bytes"/> (<see cref="ByteLength"/> of them, little-endian words).</summary>
    public static HistoryMarks FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            throw new FormatException($"History marks are {ByteLength} bytes, not {bytes.Length}.");
        }

        var marks = new HistoryMarks();
        for (var w = 0; w < marks._words.Length; w++)
        {
            marks._words[w] = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(w * 8, 8));
        }

        return marks;
    }

    /// <summary>The bucket of a user or session id: FNV-1a over its UTF-16 code units, folded to 18 bits.</summary>
    public static int Bucket(string userOrSessionId)
    {
        ArgumentNullException.ThrowIfNull(userOrSessionId);
        var hash = 14695981039346656037UL;
        foreach (var c in userOrSessionId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash ^= hash >> 29;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 32;
        return (int)(hash & (Buckets - 1));
    }

    /// <summary>Buckets set.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            for (var w = 0; w < _words.Length; w++)
            {
                count += BitOperations.PopCount(Volatile.Read(ref _words[w]));
            }

            return count;
        }
    }

    /// <summary>Whether the user may have a history (false: certainly not).</summary>
    public bool MayHave(string userOrSessionId) => Contains(Bucket(userOrSessionId));

    /// <summary>Whether the bucket is set.</summary>
    public bool Contains(int bucket) => (Volatile.Read(ref _words[bucket >> 6]) & (1UL << (bucket & 63))) != 0;

    /// <summary>Marks the user's bucket.</summary>
    public void Add(string userOrSessionId) => Set(Bucket(userOrSessionId));

    /// <summary>Sets a bucket.</summary>
    public void Set(int bucket) => Interlocked.Or(ref _words[bucket >> 6], 1UL << (bucket & 63));

    /// <summary>Sets every bucket <paramref name="other"/> has.</summary>
    public void UnionWith(HistoryMarks other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var w = 0; w < _words.Length; w++)
        {
            if (Volatile.Read(ref other._words[w]) is var word && word != 0)
            {
                Interlocked.Or(ref _words[w], word);
            }
        }
    }

    /// <summary>The marks as <see cref="ByteLength"/> bytes (little-endian words).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[ByteLength];
        for (var w = 0; w < _words.Length; w++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(w * 8, 8), Volatile.Read(ref _words[w]));
        }

        return bytes;
    }
}
