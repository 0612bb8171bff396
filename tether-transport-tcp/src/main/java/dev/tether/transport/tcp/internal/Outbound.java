package dev.tether.transport.tcp.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.nio.ByteBuffer;

/**
 * The send side of one connection: frames from any thread are copied, length-prefixed, into one pending
 * batch buffer, and one task on the connection's I/O thread writes and flushes the whole batch. While that
 * task waits to run, further frames join the batch, so a burst of sends costs one write system call, not
 * one per frame.
 *
 * <p>Bounded: a frame is refused (and {@link #offer} returns false) when the pending batch already holds
 * {@code limitBytes} or the channel's own buffer is above its high-water mark (also {@code limitBytes}), so
 * at most about twice {@code limitBytes} wait per connection. An empty batch always takes one frame, so a
 * frame larger than the limit can still be sent. Refused frames are lost; Tether's engine retransmits them.
 *
 * <p>Thread-safe: {@link #offer} may be called from any thread; the batch is guarded by this object's
 * monitor, held only to append or to take the batch.
 */
final class Outbound {
    private static final int INITIAL_BATCH_BYTES = 16 * 1024;

    private final Channel channel;
    private final int peerMaxFrameBytes;
    private final int limitBytes;
    private final Runnable drainTask = this::drain;
    private ByteBuf batch;
    private boolean drainScheduled;
    private boolean closed;

    Outbound(Channel channel, int peerMaxFrameBytes, int limitBytes) {
        this.channel = channel;
        this.peerMaxFrameBytes = peerMaxFrameBytes;
        this.limitBytes = limitBytes;
    }

    /** Outcome of {@link #offer}. */
    enum Result {
        QUEUED,
        CLOSED,
        FULL,
        TOO_LARGE_FOR_PEER
    }

    /** Copies {@code frame} (position to limit, leaving both unchanged) into the batch. */
    Result offer(ByteBuffer frame) {
        int size = frame.remaining();
        if (size > peerMaxFrameBytes) return Result.TOO_LARGE_FOR_PEER;
        boolean schedule;
        synchronized (this) {
            if (closed) return Result.CLOSED;
            int pending = batch == null ? 0 : batch.readableBytes();
            if (pending > 0 && (pending + Wire.LENGTH_BYTES + size > limitBytes || !channel.isWritable())) {
                return Result.FULL;
            }
            if (batch == null) {
                batch = channel.alloc().ioBuffer(Math.max(INITIAL_BATCH_BYTES, Wire.LENGTH_BYTES + size));
            }
            batch.writeInt(size);
            batch.writeBytes(frame.duplicate());
            schedule = !drainScheduled;
            drainScheduled = true;
        }
        if (schedule) channel.eventLoop().execute(drainTask);
        return Result.QUEUED;
    }

    /** Writes and flushes the pending batch; runs on the I/O thread. */
    private void drain() {
        ByteBuf toWrite;
        synchronized (this) {
            toWrite = batch;
            batch = null;
            drainScheduled = false;
        }
        if (toWrite != null) channel.writeAndFlush(toWrite, channel.voidPromise());
    }

    /** Refuses further frames and releases the pending batch. */
    void close() {
        ByteBuf dropped;
        synchronized (this) {
            closed = true;
            dropped = batch;
            batch = null;
        }
        if (dropped != null) dropped.release();
    }
}
