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
 * <p>Bounded: {@link #offer} refuses a frame (returns {@link Result#FULL}) while {@code limitBytes} or more
 * are queued on this connection, counting the pending batch and every batch handed to Netty whose write has
 * not completed. So at most {@code limitBytes} plus one frame wait per connection. Refused frames are lost;
 * Tether's engine retransmits them.
 *
 * <p>Thread-safe: {@link #offer} may be called from any thread; the batch and the count are guarded by this
 * object's monitor, held only to append, to take the batch, or to count a completed write.
 */
final class Outbound {
    private static final int INITIAL_BATCH_BYTES = 16 * 1024;

    private final Channel channel;
    private final int peerMaxFrameBytes;
    private final long limitBytes;
    private final Runnable drainTask = this::drain;
    private ByteBuf batch;
    private long queuedBytes;
    private boolean drainScheduled;
    private boolean closed;

    Outbound(Channel channel, int peerMaxFrameBytes, long limitBytes) {
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
            if (queuedBytes >= limitBytes) return Result.FULL;
            if (batch == null) {
                batch = channel.alloc().ioBuffer(Math.max(INITIAL_BATCH_BYTES, Wire.LENGTH_BYTES + size));
            }
            batch.writeInt(size);
            copy(frame, batch);
            queuedBytes += Wire.LENGTH_BYTES + size;
            schedule = !drainScheduled;
            drainScheduled = true;
        }
        if (schedule) channel.eventLoop().execute(drainTask);
        return Result.QUEUED;
    }

    /**
     * Appends {@code frame}'s remaining bytes to {@code batch} without changing the frame (another thread may read
     * it too). A heap frame is copied from its array: no duplicate buffer (48 bytes) per frame, which with many
     * streams, most frames carrying one message, is one per message.
     */
    private static void copy(ByteBuffer frame, ByteBuf batch) {
        if (frame.hasArray()) {
            batch.writeBytes(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        } else {
            batch.writeBytes(frame.duplicate());
        }
    }

    /**
     * Appends a control record (see {@link Wire#control}) to the batch, after the frames queued before it. Control
     * records are few and small (a member list per connection and one per membership change), so they bypass the
     * limit that protects against a peer that stops reading.
     */
    void offerControl(int type, byte[] body) {
        boolean schedule;
        synchronized (this) {
            if (closed) return;
            int size = 2 * Wire.LENGTH_BYTES + 1 + body.length;
            if (batch == null) batch = channel.alloc().ioBuffer(size); // frames that follow grow it
            batch.writeInt(Wire.CONTROL)
                    .writeInt(1 + body.length)
                    .writeByte(type)
                    .writeBytes(body);
            queuedBytes += size;
            schedule = !drainScheduled;
            drainScheduled = true;
        }
        if (schedule) channel.eventLoop().execute(drainTask);
    }

    /** Writes and flushes the pending batch; runs on the I/O thread. */
    private void drain() {
        ByteBuf toWrite;
        synchronized (this) {
            toWrite = batch;
            batch = null;
            drainScheduled = false;
        }
        if (toWrite == null) return;
        int bytes = toWrite.readableBytes();
        channel.writeAndFlush(toWrite).addListener(written -> written(bytes));
    }

    /** A batch's write completed or failed: its bytes no longer wait. */
    private synchronized void written(int bytes) {
        queuedBytes -= bytes;
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
