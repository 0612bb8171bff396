package dev.tether.internal.engine;

import dev.tether.NodeId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ACK entries of one turn, by peer (docs/PROTOCOL.md, "Frames": ACK). The receiving side adds one per stream it
 * acknowledges while it serves its streams; at the end of the turn {@link #writeTo} sends each peer's as few ACK frames
 * as the frame target allows, in the order they were added. At 10,000 busy streams a stream is acknowledged about once
 * per message: one frame per peer and turn instead of one per stream spares the transport a frame (buffers, a record,
 * a write) per message. Entries are kept as values, without an object each; a peer's arrays stay for its next turns, as
 * large as the most entries it had in one turn. The engine's thread only.
 */
final class PendingAcks {
    private final Map<NodeId, Entries> byPeer = new HashMap<>();
    /** The peers with entries this turn, in the order of their first. */
    private final List<Entries> due = new ArrayList<>();
    /** The peer of the latest entry: streams of one peer usually follow each other. */
    private Entries last;

    /** Acknowledges {@code lane} of {@code to} (its incarnation {@code epoch}) at the end of the turn. */
    void add(NodeId to, String lane, long epoch, long received, long processed, long credit) {
        Entries e = last;
        if (e == null || !e.peer.equals(to)) {
            e = byPeer.computeIfAbsent(to, Entries::new);
            last = e;
        }
        if (e.size == 0) due.add(e);
        e.add(lane, epoch, received, processed, credit);
    }

    /** Forgets {@code peer}'s arrays (it was removed); entries of this turn, if any, are still written. */
    void forget(NodeId peer) {
        byPeer.remove(peer);
        if (last != null && last.peer.equals(peer)) last = null;
    }

    /** How many peers have arrays kept. */
    int peers() {
        return byPeer.size();
    }

    /** Whether entries wait for {@link #writeTo}. */
    boolean isEmpty() {
        return due.isEmpty();
    }

    /** Writes every peer's entries as ACK frames through {@code w}, and forgets them. */
    void writeTo(FrameWriter w) {
        for (Entries e : due) {
            int inFrame = 0;
            w.beginAcks(e.peer);
            for (int i = 0; i < e.size; i++) {
                String lane = e.lanes[i];
                if (!w.ackFits(lane, inFrame)) {
                    w.endAcks(e.peer, inFrame);
                    w.beginAcks(e.peer);
                    inFrame = 0;
                }
                int v = 4 * i;
                w.ackEntry(lane, e.values[v], e.values[v + 1], e.values[v + 2], e.values[v + 3]);
                e.lanes[i] = null;
                inFrame++;
            }
            w.endAcks(e.peer, inFrame);
            e.size = 0;
        }
        due.clear();
    }

    /** One peer's entries: lane {@code i} with epoch, received, processed and credit at {@code values[4i..4i+3]}. */
    private static final class Entries {
        final NodeId peer;
        String[] lanes = new String[8];
        long[] values = new long[32];
        int size;

        Entries(NodeId peer) {
            this.peer = peer;
        }

        void add(String lane, long epoch, long received, long processed, long credit) {
            if (size == lanes.length) {
                lanes = Arrays.copyOf(lanes, 2 * size);
                values = Arrays.copyOf(values, 8 * size);
            }
            lanes[size] = lane;
            int v = 4 * size++;
            values[v] = epoch;
            values[v + 1] = received;
            values[v + 2] = processed;
            values[v + 3] = credit;
        }
    }
}
