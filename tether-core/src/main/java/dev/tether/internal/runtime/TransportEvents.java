package dev.tether.internal.runtime;

import dev.tether.NodeId;
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
    /** Frames and connection events into the node loop's input, by level once priority is used. */
    private final FrameInput input;

    TransportEvents(NodeLoop loop, long maxQueuedBytes, Admission admission, Transport transport) {
        this.loop = loop;
        this.maxQueuedBytes = maxQueuedBytes;
        this.admission = admission;
        this.transport = transport;
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
            if (up) admission.connected(peer);
            else transport.disconnect(peer); // removed after the transport admitted it
        });
    }

    @Override
    public void onPeerDown(NodeId peer) {
        input.peerDown(peer, now -> loop.engine().onPeerDown(now, peer));
    }

    @Override
    public void onFrame(NodeId from, ByteBuffer frame) {
        int size = frame.remaining();
        if (queuedBytes.addAndGet(size) > maxQueuedBytes) {
            queuedBytes.addAndGet(-size);
            shed.incrementAndGet();
            return;
        }
        input.frame(from, frame, now -> {
            queuedBytes.addAndGet(-size);
            loop.engine().preciseTime(loop.micros()); // a PONG's arrival, to the microsecond
            loop.engine().onFrame(now, from, frame);
        });
    }

    @Override
    public void onConnectionRejected(String remote, String reason) {
        loop.post(now -> loop.engine().onConnectionRejected(now, remote, reason));
    }
}
