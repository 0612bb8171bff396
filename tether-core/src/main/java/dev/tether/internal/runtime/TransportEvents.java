package dev.tether.internal.runtime;

import dev.tether.NodeId;
import dev.tether.Priority;
import dev.tether.internal.engine.Engine;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forwards transport events to the node thread. Frames waiting for it are bounded in bytes; beyond the
 * bound a frame is shed, which the protocol treats like a lost frame (it is retransmitted).
 */
final class TransportEvents implements Transport.Listener {
    private final NodeLoop loop;
    private final long maxQueuedBytes;
    private final Admission admission;
    private final Transport transport;
    private final AtomicLong queuedBytes = new AtomicLong();
    final AtomicLong shed = new AtomicLong();
    /** Refusals of this node for a kick from the cluster. */
    final KickedNotices kicked;
    /** Frames and connection events into the node loop's input, by level once priority is used. */
    private final FrameInput input;

    /** Where the node thread hands received frames: the engine, or a test's recorder. */
    private final Sink sink;

    /** Takes received frames on the node thread. */
    interface Sink {
        /** Frames that arrived together follow (a PONG's arrival is timed to the microsecond here). */
        void arrived();

        /** A received frame, in arrival order. */
        void frame(long now, NodeId from, ByteBuffer frame);
    }

    TransportEvents(NodeLoop loop, long maxQueuedBytes, Admission admission, Transport transport) {
        this(loop, maxQueuedBytes, admission, transport, new Sink() {
            @Override
            public void arrived() {
                loop.engine().preciseTime(loop.micros());
            }

            @Override
            public void frame(long now, NodeId from, ByteBuffer frame) {
                loop.engine().onFrame(now, from, frame);
            }
        });
    }

    TransportEvents(NodeLoop loop, long maxQueuedBytes, Admission admission, Transport transport, Sink sink) {
        this.sink = sink;
        this.loop = loop;
        this.maxQueuedBytes = maxQueuedBytes;
        this.admission = admission;
        this.transport = transport;
        this.kicked = new KickedNotices(loop, transport);
        this.input = new FrameInput(loop);
    }

    @Override
    public String admit(NodeId peer, PeerProof proof) {
        return admission.admit(peer, proof);
    }

    @Override
    public void onPeerUp(NodeId peer) {
        input.peerUp(peer, now -> {
            Engine engine = loop.engine();
            boolean up = engine.onPeerUp(now, peer);
            if (!up && !admission.isRemoved(peer)) {
                // Added again: Membership.add updates the admission, connects, then posts the engine's update, so a
                // fast connection can come up before that update runs. The admission holds the newer decision;
                // closing here would stop the transport dialing a peer that cannot dial back.
                engine.addPeer(peer, List.of(), true);
                up = engine.onPeerUp(now, peer);
            }
            if (up) {
                admission.connected(peer);
                kicked.connected(peer);
            } else transport.disconnect(peer); // removed after the transport admitted it
        });
    }

    @Override
    public void onPeerDown(NodeId peer) {
        input.peerDown(peer, now -> loop.engine().onPeerDown(now, peer));
    }

    @Override
    public void onFrame(NodeId from, ByteBuffer frame) {
        if (admitted(frame)) input.frame(from, frame, one(from, frame));
    }

    /**
     * The frames of one read: while every frame so far is of the default level (no priority used), one command for all
     * of them instead of one per frame (a read of a busy connection carries frames of many streams). A frame of another
     * level switches the input to levels ({@link FrameInput}): the frames before it go as one command, it and the rest
     * one by one as {@link #onFrame}.
     */
    @Override
    public void onFrames(NodeId from, List<ByteBuffer> frames) {
        int count = frames.size();
        if (count == 1 || input.leveled()) {
            for (ByteBuffer frame : frames) onFrame(from, frame);
            return;
        }
        ByteBuffer[] taken = new ByteBuffer[count];
        int n = 0, i = 0;
        long bytes = 0;
        for (; i < count; i++) {
            ByteBuffer frame = frames.get(i);
            if (FrameLevel.of(frame) != Priority.DEFAULT) break;
            if (admitted(frame)) {
                taken[n++] = frame;
                bytes += frame.remaining();
            }
        }
        if (n > 0 && !input.framesPlain(all(from, taken, n, bytes))) {
            // switched to levels by another peer's frame meanwhile: each frame at its level, in order
            for (int j = 0; j < n; j++) input.frame(from, taken[j], one(from, taken[j]));
        }
        for (; i < count; i++) onFrame(from, frames.get(i));
    }

    /** Frames the transport fenced so far ({@link Transport#fencedFrames()}). */
    long fencedFrames() {
        return transport.fencedFrames();
    }

    /** Bytes of received frames waiting for the node thread. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Whether {@code frame} fits in the bytes waiting for the node thread (counted if so); shed if not. */
    private boolean admitted(ByteBuffer frame) {
        int size = frame.remaining();
        if (queuedBytes.addAndGet(size) > maxQueuedBytes) {
            queuedBytes.addAndGet(-size);
            shed.incrementAndGet();
            return false;
        }
        return true;
    }

    /** The command handing one admitted frame to the engine. */
    private NodeLoop.Command one(NodeId from, ByteBuffer frame) {
        int size = frame.remaining();
        return now -> {
            queuedBytes.addAndGet(-size);
            sink.arrived();
            sink.frame(now, from, frame);
        };
    }

    /**
     * The command handing the first {@code n} of {@code frames} ({@code bytes} together, admitted) to the engine in
     * order; one that throws does not keep the others from the engine (the first failure is thrown after).
     */
    private NodeLoop.Command all(NodeId from, ByteBuffer[] frames, int n, long bytes) {
        return now -> {
            queuedBytes.addAndGet(-bytes);
            sink.arrived(); // once: they arrived together
            RuntimeException failed = null;
            for (int i = 0; i < n; i++) {
                try {
                    sink.frame(now, from, frames[i]);
                } catch (RuntimeException e) {
                    if (failed == null) failed = e;
                    else failed.addSuppressed(e);
                }
            }
            if (failed != null) throw failed;
        };
    }

    @Override
    public void onConnectionRejected(String remote, String reason) {
        KickRefusal kick = KickRefusal.parse(admission.self(), remote, reason);
        loop.post(now -> {
            loop.engine().onConnectionRejected(now, remote, reason);
            if (kick != null) kicked.refused(kick);
        });
    }

    @Override
    public void onFrameLimit(int bytes) {
        loop.post(now -> loop.engine().onFrameLimit(bytes));
    }

    /** A fence, as the peer's up that follows it: nothing of the peer received after it runs before it. */
    @Override
    public void onFrameLimit(NodeId peer, int bytes) {
        loop.postFence(now -> loop.engine().onFrameLimit(peer, bytes));
    }
}
