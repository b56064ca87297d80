using System.Runtime.InteropServices;

namespace Recsys.Algorithms.Serialization;

/// <summary>Length-prefixed little-endian arrays of unmanaged values in model artifacts.</summary>
internal static class BinaryArrays
{
    private const int MaxChunkBytes = 1 << 20;

    public static void Write<T>(BinaryWriter writer, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    public static T[] Read<T>(BinaryReader reader)
        where T : unmanaged
    {
        var length = reader.ReadInt32();
        if (length < 0)
        {
            throw new InvalidDataException("Negative array length in model artifact.");
        }

        var values = GC.AllocateUninitializedArray<T>(length);
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        while (!bytes.IsEmpty)
        {
            var chunk = bytes[..Math.Min(bytes.Length, MaxChunkBytes)];
            reader.BaseStream.ReadExactly(chunk);
            bytes = bytes[chunk.Length..];
        }

        return values;
    }
}
