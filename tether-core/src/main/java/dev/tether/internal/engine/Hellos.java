package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.TetherEvent;

/**
 * A peer's HELLO (docs/PROTOCOL.md): checks that it names the connected peer, notes its boot id (a new process of the
 * peer loses what volatile streams transmitted to the earlier one), reopens streams whose OPEN it could not have
 * heard, and learns its store epoch (a new one is a new incarnation: {@code Resync} on lane {@code *}). The engine's
 * thread only.
 */
final class Hellos {
    private final Statistics stats;
    private final Senders senders;
    private final PeerTable peers;
    private final EngineOutput out;

    Hellos(Statistics stats, Senders senders, PeerTable peers, EngineOutput out) {
        this.stats = stats;
        this.senders = senders;
        this.peers = peers;
        this.out = out;
    }

    void on(long now, PeerTable.Peer p, Frame.Hello h) {
        NodeId from = p.id;
        if (!h.node().equals(from)) {
            stats.protocolError(now, from, "peer " + from + " introduced itself as " + h.node());
            return;
        }
        boolean restarted = p.bootId != 0 && p.bootId != h.bootId();
        p.bootId = h.bootId();
        p.helloHeard = true;
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
