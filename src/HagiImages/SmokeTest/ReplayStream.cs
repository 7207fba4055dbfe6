namespace HagiImages.SmokeTest;

/// <summary>A read-only stream that returns bytes already read from a stream, then the rest of that stream.</summary>
internal sealed class ReplayStream : Stream
{
    private readonly Stream rest;
    private ReadOnlyMemory<byte> head;

    public ReplayStream(ReadOnlyMemory<byte> head, Stream rest)
    {
        this.head = head;
        this.rest = rest;
    }

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
        if (head.IsEmpty)
        {
            return rest.Read(buffer);
        }

        var length = Math.Min(buffer.Length, head.Length);
        head.Span[..length].CopyTo(buffer);
        head = head[length..];
        return length;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (head.IsEmpty)
        {
            return rest.ReadAsync(buffer, cancellationToken);
        }

        var length = Math.Min(buffer.Length, head.Length);
        head.Span[..length].CopyTo(buffer.Span);
        head = head[length..];
        return ValueTask.FromResult(length);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
