package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.TetherEvent;

/**
 * What a peer's HELLO changes (docs/PROTOCOL.md, "Frames"): its boot id (a new process restarts its volatile
 * streams), the codecs it decompresses on this connection, and its store epoch (a new incarnation is reported and
 * learnt). The engine's thread only.
 */
final class Hellos {
    private final EngineOutput out;
    private final Statistics stats;
    private final PeerTable peers;
    private final Senders senders;

    Hellos(EngineOutput out, Statistics stats, PeerTable peers, Senders senders) {
        this.out = out;
        this.stats = stats;
        this.peers = peers;
        this.senders = senders;
    }

    void onHello(long now, PeerTable.Peer p, Frame.Hello h) {
        NodeId from = p.id;
        if (!h.node().equals(from)) {
            stats.protocolError(now, from, "peer " + from + " introduced itself as " + h.node());
            return;
        }
        boolean restarted = p.bootId != 0 && p.bootId != h.bootId();
        p.bootId = h.bootId();
        p.helloHeard = true;
        p.codecs = h.codecs();
        if (restarted) senders.peerRestarted(from);
        senders.heardHello(from);
        long known = p.knownEpoch;
        if (known == h.epoch()) return;
        if (known != 0) {
            out.event(new TetherEvent.Resync(
                    from,
                    "*",
                    "peer store epoch changed from " + Long.toHexString(known) + " to " + Long.toHexString(h.epoch())
                            + ": a new incarnation",
                    0));
        }
        peers.learnEpoch(p, h.epoch());
    }
}
