using System.IO.Compression;
using System.Text;

namespace Recsys.Data.Import;

/// <summary>Turns a raw CSV byte stream (plain or gzip, UTF-8 with or without BOM) into a strict UTF-8 text reader.</summary>
internal static class CsvInput
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true);

    /// <summary>
    /// Opens <paramref name="stream"/> for reading text. Gzip is detected by the <c>.gz</c> extension of
    /// <paramref name="fileName"/> or by its magic bytes. Invalid UTF-8 makes reads throw <see cref="DecoderFallbackException"/>.
    /// </summary>
    public static async Task<TextReader> OpenAsync(Stream stream, string? fileName, CancellationToken cancellationToken)
    {
        var prefix = new byte[2];
        var length = 0;
        while (length < prefix.Length)
        {
            var read = await stream.ReadAsync(prefix.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        Stream input = new PrefixedStream(prefix.AsMemory(0, length), stream);
        var isGzip = (length == 2 && prefix[0] == 0x1F && prefix[1] == 0x8B) ||
            (fileName is not null && fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));
        if (isGzip)
        {
            input = new GZipStream(input, CompressionMode.Decompress, leaveOpen: false);
        }

        // The encoding's preamble makes StreamReader skip a UTF-8 BOM; BOM detection is off so that it cannot swap
        // in a lenient decoder.
        return new StreamReader(input, s_strictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
    }

    /// <summary>A read-only stream that returns some already-read bytes before the rest of another stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!_prefix.IsEmpty)
            {
                return TakePrefix(buffer);
            }

            return inner.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_prefix.IsEmpty)
            {
                return ValueTask.FromResult(TakePrefix(buffer.Span));
            }

            return inner.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int TakePrefix(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..count].CopyTo(buffer);
            _prefix = _prefix[count..];
            return count;
        }
    }
}
