package dev.tether.spi;

import dev.tether.NodeId;
import java.util.List;
import java.util.Map;

/**
 * What a store holds when opened: its epoch (random, non-zero, created once with the store and never
 * changed), its outbound streams, inbound cursors and the last epoch seen from each peer.
 */
public record StoredState(
        long epoch, List<OutboundState> outbound, List<InboundCursor> inbound, Map<NodeId, Long> peerEpochs) {
    /** Copies the collections, so the state stays as it was read. */
    public StoredState {
        outbound = List.copyOf(outbound);
        inbound = List.copyOf(inbound);
        peerEpochs = Map.copyOf(peerEpochs);
    }
}
