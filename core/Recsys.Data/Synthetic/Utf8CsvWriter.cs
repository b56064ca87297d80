using System.Globalization;
using System.Text;

namespace Recsys.Data.Synthetic;

/// <summary>Writes CSV cells straight into a UTF-8 byte buffer; cells written here never need quoting.</summary>
internal sealed class Utf8CsvWriter(Stream output) : IDisposable
{
    private const int FlushThreshold = 1 << 20;

    private readonly byte[] _buffer = new byte[FlushThreshold + 4096];
    private int _length;

    public void Ascii(string value)
    {
        EnsureRoom(value.Length);
        _length += Encoding.ASCII.GetBytes(value, _buffer.AsSpan(_length));
    }

    public void Id(char prefix, long value)
    {
        EnsureRoom(21);
        _buffer[_length++] = (byte)prefix;
        value.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
    }

    public void Integer(long value)
    {
        EnsureRoom(20);
        value.TryFormat(_buffer.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
    }

    public void Decimal2(double value)
    {
        EnsureRoom(32);
        value.TryFormat(_buffer.AsSpan(_length), out var written, "F2", CultureInfo.InvariantCulture);
        _length += written;
    }

    public void Comma() => Byte((byte)',');

    public void NewLine()
    {
        Byte((byte)'\n');
        if (_length >= FlushThreshold)
        {
            Flush();
        }
    }

    public void Flush()
    {
        output.Write(_buffer, 0, _length);
        _length = 0;
    }

    public void Dispose() => Flush();

    private void Byte(byte value)
    {
        EnsureRoom(1);
        _buffer[_length++] = value;
    }

    private void EnsureRoom(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Flush();
        }
    }
}
