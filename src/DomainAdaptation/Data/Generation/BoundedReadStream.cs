namespace DomainAdaptation.Data.Generation;

/// <summary>
/// A read-only, forward-only wrapper that throws <see cref="InvalidDataException"/> once more than a set number of
/// bytes has been read from the inner stream (for decompressed archive data, against decompression bombs).
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit, string description) : Stream
{
    private long _read;

    /// <summary>True once the limit was passed (the exception thrown then is this stream's own).</summary>
    public bool Exceeded { get; private set; }

    /// <summary>The bytes read so far.</summary>
    public long BytesRead => _read;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        return Count(n);
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Count(n);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    private int Count(int n)
    {
        _read += n;
        if (_read > limit)
        {
            Exceeded = true;
            throw new InvalidDataException($"{description}: the decompressed data grew past {limit:N0} bytes and reading stopped (a corrupt file or a decompression bomb; raise the limit only for a trusted file).");
        }

        return n;
    }
}

