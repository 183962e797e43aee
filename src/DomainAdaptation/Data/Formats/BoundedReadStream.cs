namespace DomainAdaptation.Data.Formats;

/// <summary>
/// A read-only, forward-only wrapper that counts the bytes read from a decompressing stream and stops with a
/// <see cref="DataFormatException"/> once they exceed a bound: a guard against decompression bombs.
/// </summary>
internal sealed class BoundedReadStream : Stream
{
    private readonly Stream _inner;
    private readonly long _maxBytes;
    private readonly string _sourceName;
    private readonly bool _leaveOpen;

    public BoundedReadStream(Stream inner, long maxBytes, string sourceName, bool leaveOpen = false)
    {
        _inner = inner;
        _maxBytes = maxBytes;
        _sourceName = sourceName;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The decompressed bytes read so far.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Never ask for more than one byte past the bound, so a bomb is caught without inflating much of it.
        long allowed = _maxBytes - BytesRead + 1;
        if (buffer.Length > allowed) buffer = buffer[..(int)allowed];
        int n = _inner.Read(buffer);
        BytesRead += n;
        if (BytesRead > _maxBytes)
        {
            throw new DataFormatException(_sourceName,
                $"decompresses to more than {_maxBytes:N0} bytes (DataLoadOptions.MaxDecompressedBytes); reading stopped. " +
                "The file is not what it claims to be (a decompression bomb or the wrong file); if it is genuine, raise the bound.");
        }

        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen) _inner.Dispose();
        base.Dispose(disposing);
    }
}
