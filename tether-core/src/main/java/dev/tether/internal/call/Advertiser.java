package dev.tether.internal.call;

import dev.tether.CallKind;
import dev.tether.Lanes;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.UnknownPeerException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Tells connected peers this node's handlers, channel memberships and endpoints: a tell to each peer's {@code _hello}
 * when it connects (if this node has handlers, channels or endpoints, or told that peer of some before: a peer forgets
 * a node's lists when it reconnects) and whenever they change, on the reserved volatile lane {@link #LANE}. A node
 * without any sends nothing. Advertisement is state, not a log: at most one advertisement per peer is unacknowledged
 * at a time, later changes are folded into the next one (sent when that one is settled), nothing is sent to a
 * disconnected peer, and each expires after {@link #TTL}, so the outbox holds at most one per peer, for a bounded
 * time. Each carries a higher {@code seq} than the one before (docs/MESSAGING.md, "Handler discovery"). Node thread
 * only, except {@link #changed()}.
 */
final class Advertiser {
    /**
     * The reserved lane of system calls: volatile ({@code _v._sys}), so that advertisements and {@code _list_handlers}
     * are never written to a store, and a restarted peer gets a fresh advertisement instead of an old one. Nodes
     * still accept them on the durable {@code _sys} of earlier versions.
     */
    static final String LANE = Lanes.volatileLane("_sys");

    /** How long an advertisement may wait to be delivered; a reconnect sends a fresh one anyway. */
    static final Duration TTL = Duration.ofSeconds(30);

    private final CallHost host;
    private final Supplier<List<String>> handlers;
    private final Supplier<List<String>> channels;
    private final Supplier<List<String>> endpoints;
    private final Set<NodeId> connected = new HashSet<>();
    private final Set<NodeId> inFlight = new HashSet<>();
    private final Set<NodeId> dirty = new HashSet<>();
    /** Peers told of this node's handlers in this run (the last thing they heard may need correcting). */
    private final Set<NodeId> told = new HashSet<>();

    private final AtomicBoolean changePending = new AtomicBoolean();
    private long lastSeq;
    private long sent;

    /**
     * {@code channels} gives the membership entries ({@link Advertisement#channelEntries}), {@code endpoints} the names
     * of the node's endpoints.
     */
    Advertiser(
            CallHost host,
            Supplier<List<String>> handlers,
            Supplier<List<String>> channels,
            Supplier<List<String>> endpoints) {
        this.host = host;
        this.handlers = handlers;
        this.channels = channels;
        this.endpoints = endpoints;
    }

    /** This node's description now, with a {@code seq} above every earlier one of this process. */
    Advertisement current(long now) {
        // Clock-based, so that it also grows across restarts (unless the clock went back by more than the downtime).
        lastSeq = Math.max(lastSeq + 1, Math.multiplyExact(Math.max(now, 0), 1000L));
        List<String> all = endpoints.get();
        return new Advertisement(
                host.id(),
                Advertisement.LOCAL_VERSION,
                host.epoch(),
                lastSeq,
                handlers.get(),
                channels.get(),
                Advertisement.firstEndpoints(all),
                all.size() > Advertisement.MAX_ENDPOINTS,
                List.of());
    }

    /** The names of this node's endpoints now, all of them, in no order. */
    List<String> endpointNames() {
        return endpoints.get();
    }

    /**
     * The node reported {@code e}: connections start and end advertising. The first advertisement waits for the
     * next command: the event comes from inside the engine, before the node has admitted the peer for sends.
     */
    void onEvent(TetherEvent e) {
        if (e instanceof TetherEvent.PeerConnected c) {
            connected.add(c.peer());
            if (told.contains(c.peer())
                    || !handlers.get().isEmpty()
                    || !channels.get().isEmpty()
                    || !endpoints.get().isEmpty()) dirty.add(c.peer());
            host.post(now -> pump(c.peer(), now));
        } else if (e instanceof TetherEvent.PeerDisconnected d) {
            connected.remove(d.peer());
        }
    }

    /**
     * The handlers or channels changed (any thread): every connected peer gets the new lists; bursts are folded into
     * one.
     */
    void changed() {
        if (!changePending.compareAndSet(false, true)) return;
        host.post(now -> {
            changePending.set(false);
            dirty.addAll(connected);
            for (NodeId p : List.copyOf(connected)) pump(p, now);
        });
    }

    private void pump(NodeId peer, long now) {
        if (!connected.contains(peer) || !dirty.contains(peer) || inFlight.contains(peer)) return;
        dirty.remove(peer);
        byte[] payload = current(now).encode();
        Map<String, String> headers = CallHeaders.call(Map.of(), SystemHandlers.HELLO, CallKind.TELL, false);
        SendReceipt r;
        try {
            r = host.submit(peer, LANE, headers, payload, now + TTL.toMillis(), null);
        } catch (UnknownPeerException | NodeClosedException e) {
            return; // removed, or shutting down: nobody to tell
        } catch (TetherException e) { // too large for maxMessageBytes, or the send queue is full
            host.emit(new TetherEvent.ApplicationError(
                    "handler advertisement to " + peer, "not sent: " + e.getMessage()));
            return;
        }
        sent++;
        told.add(peer);
        inFlight.add(peer);
        r.processed()
                .whenComplete((outcome, failure) -> host.post(later -> {
                    inFlight.remove(peer);
                    pump(peer, later);
                }));
    }

    /**
     * {@code peer} was removed: nothing is kept for it (it forgets this node's lists when it connects again, as any
     * peer does on a reconnect). An advertisement still in flight to it ends as the removal fails it.
     */
    void forget(NodeId peer) {
        connected.remove(peer);
        dirty.remove(peer);
        told.remove(peer);
        inFlight.remove(peer);
    }

    /** Peers this advertiser keeps an entry for (for tests). */
    int peersKept() {
        Set<NodeId> all = new HashSet<>(told);
        all.addAll(dirty);
        all.addAll(connected);
        all.addAll(inFlight);
        return all.size();
    }

    /** Advertisements sent so far. */
    long sent() {
        return sent;
    }
}
