namespace Recsys.Data.Schemas;

/// <summary>The Avro primitive type of a schema field (Personalize supports these and <c>null</c> in a union).</summary>
// The members are Avro's type names on purpose.
#pragma warning disable CA1720 // Identifier contains type name
public enum FieldType
{
    /// <summary>Avro <c>string</c>.</summary>
    String,

    /// <summary>Avro <c>long</c> (64-bit integer).</summary>
    Long,

    /// <summary>Avro <c>int</c> (32-bit integer).</summary>
    Int,

    /// <summary>Avro <c>float</c> (32-bit floating point).</summary>
    Float,

    /// <summary>Avro <c>double</c> (64-bit floating point).</summary>
    Double,

    /// <summary>Avro <c>boolean</c>; CSV values must be lower-case <c>true</c> or <c>false</c>.</summary>
    Boolean,
}
#pragma warning restore CA1720
