package dev.tether.internal.runtime;

import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.spi.Transport;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node does when a peer refuses it because it was kicked from the cluster ({@link KickRefusal}): it stops
 * dialing that peer ({@code Transport.disconnect}), so it does not knock at a door closed until an operator decides,
 * and reports {@link TetherEvent.KickedFromCluster} once per refusing peer and verdict. The peer dials it again when
 * it re-admits it (a readmit adds it where it was reached); an {@code addPeer} or a restart here dials it again too.
 * A connection with the peer coming up ends the notice: a later kick is reported again.
 *
 * <p>Node thread only, but {@link #count} (read by the statistics).
 */
final class KickedNotices {
    private final NodeLoop loop;
    private final Transport transport;
    /** The generation of the verdict last reported per refusing peer. */
    private final Map<NodeId, Long> reported = new HashMap<>();

    private final AtomicLong count = new AtomicLong();

    KickedNotices(NodeLoop loop, Transport transport) {
        this.loop = loop;
        this.transport = transport;
    }

    /** {@code refusal.refuser()} refused this node for a kick. */
    void refused(KickRefusal refusal) {
        NodeId peer = refusal.refuser();
        transport.disconnect(peer); // stop dialing it: it refuses until readmitted, and dials this node then
        Long last = reported.get(peer);
        if (last != null && last >= refusal.generation()) return;
        reported.put(peer, refusal.generation());
        count.incrementAndGet();
        loop.emit(new TetherEvent.KickedFromCluster(peer, refusal.decider(), refusal.generation()));
    }

    /** A connection with {@code peer} is up: it admits this node again. */
    void connected(NodeId peer) {
        reported.remove(peer);
    }

    /** The kicks reported, one per refusing peer and verdict. */
    long count() {
        return count.get();
    }
}
