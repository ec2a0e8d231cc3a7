using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace GrainPool.Hosting.Wire;

/// <summary>
/// The transport of one inbound Orleans connection, passed through unchanged while it records when bytes last moved
/// either way and whether the peer's connection preamble has arrived. Orleans opens every silo and gateway connection
/// with that preamble: a 4-byte little-endian length, then at most 1 KB naming the peer; the preamble counts as
/// delivered once Orleans has taken all of it from the pipe (a peer that sends a length and stalls has not delivered it).
/// </summary>
internal sealed class WatchedTransport : IDuplexPipe
{
    private const int LengthPrefixBytes = sizeof(int);

    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _preambleDelivered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastActivity;
    private long _consumed;
    private int _preambleLength = -1;

    public WatchedTransport(IDuplexPipe inner, TimeProvider time)
    {
        _time = time;
        _lastActivity = time.GetTimestamp();
        Input = new WatchedReader(inner.Input, this);
        Output = new WatchedWriter(inner.Output, this);
    }

    /// <inheritdoc />
    public PipeReader Input { get; }

    /// <inheritdoc />
    public PipeWriter Output { get; }

    /// <summary>Completes when Orleans has read the peer's whole connection preamble.</summary>
    public Task PreambleDelivered => _preambleDelivered.Task;

    /// <summary>Time since bytes last arrived or were flushed to the peer (or since the connection opened).</summary>
    public TimeSpan SinceLastActivity => _time.GetElapsedTime(Volatile.Read(ref _lastActivity));

    private void MarkActivity() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    // Called with every buffer the reader hands Orleans: the first four bytes of the stream are the preamble's length.
    private void OnRead(in ReadResult result)
    {
        if (result.Buffer.IsEmpty)
        {
            return;
        }

        MarkActivity();
        if (_preambleLength < 0 && _consumed == 0 && result.Buffer.Length >= LengthPrefixBytes)
        {
            Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
            result.Buffer.Slice(0, LengthPrefixBytes).CopyTo(prefix);

            // A negative length from garbage can never be delivered; Orleans rejects it (or one over 1 KB) and closes.
            _preambleLength = Math.Max(0, BinaryPrimitives.ReadInt32LittleEndian(prefix));
        }
    }

    private void OnConsumed(long bytes)
    {
        if (bytes <= 0 || _preambleDelivered.Task.IsCompleted)
        {
            return;
        }

        _consumed += bytes;
        if (_preambleLength >= 0 && _consumed >= LengthPrefixBytes + (long)_preambleLength)
        {
            _preambleDelivered.TrySetResult();
        }
    }

    private sealed class WatchedReader(PipeReader inner, WatchedTransport owner) : PipeReader
    {
        private ReadOnlySequence<byte> _last;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            Seen(result);
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }

            Seen(result);
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed)
        {
            Consumed(consumed);
            inner.AdvanceTo(consumed);
        }

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            Consumed(consumed);
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        private void Seen(in ReadResult result)
        {
            _last = result.Buffer;
            owner.OnRead(result);
        }

        private void Consumed(SequencePosition consumed)
        {
            if (!owner.PreambleDelivered.IsCompleted && !_last.IsEmpty)
            {
                owner.OnConsumed(_last.Slice(_last.Start, consumed).Length);
            }

            _last = default;
        }
    }

    private sealed class WatchedWriter(PipeWriter inner, WatchedTransport owner) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            owner.MarkActivity();
            return inner.FlushAsync(cancellationToken);
        }

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            owner.MarkActivity();
            return inner.WriteAsync(source, cancellationToken);
        }
    }
}
