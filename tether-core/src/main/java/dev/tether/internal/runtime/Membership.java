package dev.tether.internal.runtime;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.PeerRemoval;
import dev.tether.TetherException;
import dev.tether.UnknownPeerException;
import dev.tether.internal.engine.Effect;
import dev.tether.spi.Discovery;
import dev.tether.spi.Store;
import dev.tether.spi.Transport;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;

/**
 * Runtime membership changes: {@code addPeer}/{@code removePeer} from the application and members reported by
 * discoveries. Each change updates the thread-safe {@link Admission} the transport consults, the engine (on the
 * node thread) and the transport, in the order {@link Admission} requires. Thread-safe; changes from the
 * application are serialized so that an add and a remove of one peer cannot interleave.
 */
final class Membership implements Discovery.Listener {
    private static final System.Logger LOG = System.getLogger("dev.tether");

    private final NodeId self;
    private final Admission admission;
    private final NodeLoop loop;
    private final Transport transport;
    private final Clock clock;
    /** Where each added peer is reached, as stored; guarded by this. */
    private final Map<NodeId, List<String>> addresses = new HashMap<>();

    Membership(NodeId self, Admission admission, NodeLoop loop, Transport transport, Clock clock) {
        this.self = self;
        this.admission = admission;
        this.loop = loop;
        this.transport = transport;
        this.clock = clock;
    }

    /**
     * Applies the decisions of earlier runs stored in {@code store} (open, not yet used by the node thread): a removed
     * peer is removed again, an added one added again (the transport is told in {@link #reconnectAdded}). Called
     * before the node loop starts, on the thread that builds the node.
     */
    synchronized void restore(Store store, long now) {
        List<String> unreadable = new ArrayList<>();
        for (StoredPeerChanges.Change c :
                StoredPeerChanges.decode(KeyPages.readAll(store, StoredPeerChanges.NAMESPACE, now), unreadable)) {
            if (c.peer().equals(self)) continue;
            if (c.removed()) {
                admission.removed(c.peer());
                loop.engine().removePeer(now, c.peer());
            } else {
                admission.added(c.peer());
                loop.engine().addPeer(c.peer(), c.addresses(), true);
                admission.publish(c.peer());
                addresses.put(c.peer(), c.addresses());
            }
        }
        for (String reason : unreadable) loop.post(n -> loop.engine().onInvalidMessage(n, self, reason));
    }

    /** Tells the started transport to reach the peers added in earlier runs ({@link #restore}). */
    synchronized void reconnectAdded() {
        addresses.forEach((peer, where) -> {
            try {
                transport.connect(peer, where);
            } catch (IllegalArgumentException e) {
                onInvalid(peer, "stored address of added peer " + peer + " is not usable: " + e.getMessage());
            }
        });
    }

    synchronized void add(NodeId peer, List<String> addresses) {
        Objects.requireNonNull(peer, "peer");
        List<String> copy = List.copyOf(addresses);
        if (peer.equals(self)) throw new UnknownPeerException("node " + self + " cannot add itself as a peer");
        if (copy.size() > Discovery.MAX_ADDRESSES) {
            throw new IllegalArgumentException(
                    copy.size() + " addresses for " + peer + ", at most " + Discovery.MAX_ADDRESSES);
        }
        for (String a : copy) {
            if (a.length() > Discovery.MAX_ADDRESS_LENGTH) {
                throw new IllegalArgumentException(
                        "address of " + peer + " longer than " + Discovery.MAX_ADDRESS_LENGTH + " characters");
            }
        }
        boolean wasExplicit = admission.isExplicit(peer);
        boolean wasRemoved = admission.isRemoved(peer);
        admission.added(peer); // before connecting: the connection asks admit() at once
        try {
            transport.connect(peer, copy);
        } catch (IllegalArgumentException e) { // an address it cannot parse: nothing changed there, undo here
            admission.undoAdd(peer, wasExplicit, wasRemoved);
            if (wasRemoved) { // it may have connected meanwhile, and been added by TransportEvents.onPeerUp
                loop.post(now -> loop.engine().removePeer(now, peer));
                transport.disconnect(peer);
            }
            throw e;
        }
        List<String> where = copy.isEmpty() ? this.addresses.getOrDefault(peer, List.of()) : copy;
        this.addresses.put(peer, where);
        try {
            askStored(
                    now -> {
                        loop.engine().addPeer(peer, copy, true);
                        return null;
                    },
                    StoredPeerChanges.added(peer, where),
                    "adding peer " + peer);
        } finally {
            admission.publish(peer); // the command was posted: the engine knows the peer before any send reaches it
        }
    }

    synchronized PeerRemoval remove(NodeId peer) {
        return remove(peer, false).removal();
    }

    /**
     * Removes {@code peer}; with {@code purge} (a cluster kick) also purges the outbox to it, in the same node-thread
     * command as the removal: admission refuses the peer before that command is posted, so no send is stored for it
     * after the purge. A send admitted earlier whose batch was still being committed then is purged once the
     * removal is stored (batches commit in order), so nothing is left owed to the removed peer.
     */
    synchronized PeerKick remove(NodeId peer, boolean purge) {
        Objects.requireNonNull(peer, "peer");
        admission.removed(peer);
        addresses.remove(peer);
        long[] purged = {0};
        PeerRemoval r = askStored(
                now -> {
                    PeerRemoval removal = loop.engine().removePeer(now, peer);
                    if (purge) purged[0] = loop.engine().purge(now, peer, null)[1];
                    return removal;
                },
                StoredPeerChanges.removed(peer),
                "removing peer " + peer);
        transport.disconnect(peer);
        if (purge) purged[0] += ask(now -> loop.engine().purge(now, peer, null)[1], "purging the outbox to " + peer);
        return new PeerKick(r, purged[0]);
    }

    List<PeerInfo> peers() {
        return ask(now -> loop.engine().peerInfos(), "listing peers");
    }

    /**
     * Runs {@code f} on the node thread and stores {@code decision} with the next batch; returns {@code f}'s result
     * once the decision is stored. On the node thread itself it cannot wait: it returns before the commit.
     */
    private <T> T askStored(LongFunction<T> f, Effect decision, String what) {
        if (loop.onNodeThread()) {
            T r = f.apply(clock.millis());
            loop.ownWrites().writeKeys(clock.millis(), List.of(decision), () -> {});
            return r;
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        post(result, now -> {
            T r = f.apply(now);
            loop.ownWrites().writeKeys(now, List.of(decision), () -> result.complete(r));
        });
        return await(result, what + " (done, but not yet stored: a restart may undo it)");
    }

    /**
     * Runs {@code f} on the node thread and returns its result; directly when called there. Throws {@link
     * NodeClosedException} if the node loop ended before it could run.
     */
    private <T> T ask(LongFunction<T> f, String what) {
        if (loop.onNodeThread()) return f.apply(clock.millis());
        CompletableFuture<T> result = new CompletableFuture<>();
        post(result, now -> result.complete(f.apply(now)));
        return await(result, what);
    }

    /** Posts {@code task}; {@code result} fails with {@link NodeClosedException} if the loop refuses it. */
    private void post(CompletableFuture<?> result, NodeTask task) {
        loop.post(NodeLoop.answering(task, result, self));
    }

    private <T> T await(CompletableFuture<T> result, String what) {
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new TetherException("node " + self + " did not answer within 10 s while " + what);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NodeClosedException c) {
                throw new NodeClosedException(c.getMessage() + " (while " + what + ")");
            }
            throw new TetherException(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TetherException("interrupted while " + what);
        }
    }

    // ---- Discovery.Listener: any discovery thread ----------------------------------------------------------

    @Override
    public void onDiscovered(NodeId member, List<String> addresses) {
        if (!admission.mayDiscover(member)) {
            LOG.log(Level.DEBUG, () -> self + ": discovered " + member + " is not admitted; not connecting");
            return;
        }
        List<String> copy = List.copyOf(addresses);
        String invalid = invalidAddresses(copy);
        if (invalid != null) {
            onInvalid(member, invalid);
            return;
        }
        loop.post(now -> {
            loop.engine().addPeer(member, copy, false);
            admission.publish(member);
        });
        try {
            transport.connect(member, copy);
        } catch (IllegalArgumentException e) {
            onInvalid(
                    member,
                    "discovered member " + member + " has an address the transport cannot use: " + e.getMessage());
        }
    }

    private static String invalidAddresses(List<String> addresses) {
        if (addresses.size() > Discovery.MAX_ADDRESSES) {
            return addresses.size() + " addresses reported, at most " + Discovery.MAX_ADDRESSES;
        }
        for (String a : addresses) {
            if (a == null || a.isBlank() || a.length() > Discovery.MAX_ADDRESS_LENGTH) {
                return "invalid address reported: " + (a == null ? "null" : "'" + a.strip() + "'");
            }
        }
        return null;
    }

    @Override
    public void onLost(NodeId member) {
        loop.post(now -> {
            loop.engine().lostPeer(member);
            if (!loop.engine().knows(member)) admission.forgotten(member);
        });
    }

    @Override
    public void onInvalid(NodeId source, String reason) {
        loop.post(now -> loop.engine().onInvalidMessage(now, source, "membership: " + reason));
    }
}
