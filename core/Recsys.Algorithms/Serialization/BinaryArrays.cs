using System.Runtime.InteropServices;

namespace Recsys.Algorithms.Serialization;

/// <summary>Length-prefixed little-endian arrays and strings in model artifacts.</summary>
public static class BinaryArrays
{
    private const int MaxChunkBytes = 1 << 20;

    /// <summary>Writes the length, then the values' bytes.</summary>
    public static void Write<T>(BinaryWriter writer, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads an array written by <see cref="Write{T}"/>, in chunks so that a huge length fails early on a short stream.</summary>
    public static T[] Read<T>(BinaryReader reader)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(reader);
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

    /// <summary>Writes the count, then each string (length-prefixed UTF-8).</summary>
    public static void WriteStrings(BinaryWriter writer, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        writer.Write(values.Count);
        foreach (var value in values)
        {
            writer.Write(value);
        }
    }

    /// <summary>Reads strings written by <see cref="WriteStrings"/>.</summary>
    public static string[] ReadStrings(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var count = reader.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException("Negative string count in model artifact.");
        }

        var values = new string[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = reader.ReadString();
        }

        return values;
    }
}
