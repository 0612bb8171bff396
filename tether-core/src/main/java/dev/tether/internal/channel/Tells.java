package dev.tether.internal.channel;

import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.UnknownPeerException;
import dev.tether.internal.runtime.NodeRuntime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Tells of a kick or re-admission to every known peer: durable sends on the lane {@value ChannelLayer#LANE}, each
 * counted as told only once it is stored ({@link SendReceipt#accepted}): from then on it reaches the peer across
 * disconnects and restarts. A send refused or not stored is reported ({@code ApplicationError}) and not counted.
 */
final class Tells {
    private Tells() {}

    /**
     * What telling did.
     *
     * @param told the peers whose tell is stored, sorted by id
     * @param receipts the stored tells' receipts by peer
     * @param all whether every tell made was stored
     */
    record Told(List<NodeId> told, Map<NodeId, SendReceipt> receipts, boolean all) {}

    /** Tells every known peer but {@code node} {@code message}; completes once each tell is stored or failed. */
    static CompletableFuture<Told> stored(
            NodeRuntime runtime, BiFunction<NodeId, String, SendReceipt> tell, NodeId node, String message) {
        Map<NodeId, SendReceipt> sent = new TreeMap<>(Comparator.comparing(NodeId::value));
        boolean refused = false;
        for (PeerInfo p : runtime.peers()) {
            if (p.id().equals(node)) continue;
            try {
                sent.put(p.id(), tell.apply(p.id(), message));
            } catch (UnknownPeerException e) { // removed meanwhile: nothing to tell it
            } catch (RuntimeException e) {
                report(runtime, message, p.id(), e);
                refused = true;
            }
        }
        List<CompletableFuture<NodeId>> accepted = new ArrayList<>();
        sent.forEach((peer, r) -> accepted.add(r.accepted().handle((id, e) -> {
            if (e == null) return peer;
            report(runtime, message, peer, e);
            return null;
        })));
        boolean allSent = !refused;
        return CompletableFuture.allOf(accepted.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> {
                    List<NodeId> told = new ArrayList<>();
                    for (CompletableFuture<NodeId> f : accepted) {
                        if (f.join() != null) told.add(f.join());
                    }
                    Map<NodeId, SendReceipt> receipts = new TreeMap<>(Comparator.comparing(NodeId::value));
                    for (NodeId peer : told) receipts.put(peer, sent.get(peer));
                    return new Told(List.copyOf(told), receipts, allSent && told.size() == sent.size());
                });
    }

    /**
     * Sends {@code peer} {@code message}; null if it is not sent: unknown (removed meanwhile, or never known: nothing to
     * tell it), or refused (reported).
     */
    static SendReceipt sendOrReport(
            NodeRuntime runtime, BiFunction<NodeId, String, SendReceipt> tell, NodeId peer, String message) {
        try {
            return tell.apply(peer, message);
        } catch (UnknownPeerException e) {
            return null;
        } catch (RuntimeException e) {
            report(runtime, message, peer, e);
            return null;
        }
    }

    private static void report(NodeRuntime runtime, String message, NodeId peer, Throwable e) {
        try {
            runtime.post(now -> runtime.emit(
                    new TetherEvent.ApplicationError("kick message '" + message + "' to " + peer, "not sent: " + e)));
        } catch (RuntimeException stopped) { // the node stops: nothing to report to
        }
    }
}
