package dev.tether.internal.call;

import dev.tether.ChannelRole;
import dev.tether.HandlerNotAdvertisedException;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.TetherException;
import dev.tether.bus.Address;
import dev.tether.bus.EndpointNotAdvertisedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * What each peer advertised last ({@link Advertisement}: its handlers, channels and endpoints), and the {@code
 * awaitHandler} and {@code awaitEndpoint} futures waiting for a name to appear. Only an advertisement with a higher {@code seq} than the one kept replaces it, so a stale one (an
 * answer to {@code _list_handlers} that crossed a newer push, one stored before a restart) never wins. Writes and
 * waits belong to the node thread; {@link #handlers} may be read from any thread.
 */
final class PeerHandlers {
    /** One peer's latest advertisement. */
    private record View(
            long seq,
            List<String> handlers,
            Set<String> names,
            Map<String, ChannelRole> channels,
            Set<String> endpoints,
            boolean endpointsMore) {
        static View empty(long seq) {
            return new View(seq, List.of(), Set.of(), Map.of(), Set.of(), false);
        }

        boolean has(boolean endpoint, String name) {
            return (endpoint ? endpoints : names).contains(name);
        }
    }

    /** An {@code awaitHandler} or {@code awaitEndpoint} future. */
    private static final class Awaiter extends Timed {
        final NodeId peer;
        final boolean endpoint;
        final String name;
        final Duration timeout;
        final CompletableFuture<Void> future;
        /** A {@link Lookup} for it is in flight; {@link #askAgain}: a newer advertisement came meanwhile. */
        boolean asking;

        boolean askAgain;

        Awaiter(
                NodeId peer,
                boolean endpoint,
                String name,
                long deadline,
                Duration timeout,
                CompletableFuture<Void> future) {
            super(deadline);
            this.peer = peer;
            this.endpoint = endpoint;
            this.name = name;
            this.timeout = timeout;
            this.future = future;
        }

        TetherException notAdvertised(View v) {
            if (!endpoint) {
                String known = v == null ? "it advertised nothing yet" : "its latest advertisement lists " + v.handlers;
                return new HandlerNotAdvertisedException(peer, name, timeout, known);
            }
            String known = v == null
                    ? "it advertised nothing yet"
                    : "its latest advertisement lists " + new TreeSet<>(v.endpoints)
                            + (v.endpointsMore ? " and says it has more, which did not include it either" : "");
            return new EndpointNotAdvertisedException(Address.of(peer, name), timeout, known);
        }
    }

    /**
     * Asks {@code peer} whether it has endpoint {@code agent} (its {@code _list_endpoints}), for a wait on a node that
     * has more endpoints than its advertisement lists; the future completes on the node thread.
     */
    interface Lookup {
        CompletableFuture<Boolean> has(NodeId peer, String agent, long deadline);
    }

    private Lookup lookup = (peer, agent, deadline) -> CompletableFuture.completedFuture(false);

    private final Map<NodeId, View> views = new ConcurrentHashMap<>();
    /** Peers connected now (written on the node thread, read by {@link #pick} on any). */
    private final Set<NodeId> connected = ConcurrentHashMap.newKeySet();
    /** The round-robin position per handler name {@link #pick}ed; cleared beyond {@value #MAX_TURNS} names. */
    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();

    private static final int MAX_TURNS = 4096;
    private final Map<NodeId, List<Awaiter>> waiting = new java.util.HashMap<>();
    private final DeadlineHeap<Awaiter> deadlines = new DeadlineHeap<>();
    private long stale;

    /** {@code a} arrived from its node (checked by the caller): keep it unless a newer one is known. Node thread. */
    boolean apply(Advertisement a) {
        View v = views.get(a.id());
        if (v != null && v.seq >= a.seq()) {
            stale++;
            return false;
        }
        View view = new View(
                a.seq(),
                a.handlers(),
                new HashSet<>(a.handlers()),
                a.channelRoles(),
                new HashSet<>(a.endpoints()),
                a.endpointsMore());
        views.put(a.id(), view);
        List<Awaiter> l = waiting.get(a.id());
        if (l != null) {
            l.removeIf(w -> {
                if (!view.has(w.endpoint, w.name)) return false;
                deadlines.remove(w);
                w.future.complete(null);
                return true;
            });
            if (l.isEmpty()) waiting.remove(a.id());
            else if (view.endpointsMore) for (Awaiter w : List.copyOf(l)) lookUp(w);
        }
        return true;
    }

    /** Asks with {@code lookup} for the endpoints beyond a node's advertisement; before the node starts. */
    void lookup(Lookup lookup) {
        this.lookup = lookup;
    }

    /**
     * Asks {@code w}'s peer whether it has {@code w}'s endpoint, one question at a time per wait; a newer
     * advertisement arriving meanwhile (the peer registered or closed an endpoint) asks again when the answer comes.
     */
    private void lookUp(Awaiter w) {
        if (!w.endpoint) return;
        if (w.asking) {
            w.askAgain = true;
            return;
        }
        w.asking = true;
        lookup.has(w.peer, w.name, w.deadline).whenComplete((found, failure) -> {
            w.asking = false;
            if (w.future.isDone()) return;
            if (Boolean.TRUE.equals(found)) {
                List<Awaiter> l = waiting.get(w.peer);
                if (l != null && l.remove(w) && l.isEmpty()) waiting.remove(w.peer);
                deadlines.remove(w);
                w.future.complete(null);
            } else if (w.askAgain) {
                w.askAgain = false;
                lookUp(w);
            } // else the next advertisement asks again, or the deadline ends the wait
        });
    }

    /** The handlers {@code peer} advertised last, sorted; empty if none. Any thread. */
    List<String> handlers(NodeId peer) {
        View v = views.get(peer);
        return v == null ? List.of() : v.handlers;
    }

    /** The channels {@code peer} advertised last, with their roles, sorted by name; empty if none. Any thread. */
    Map<String, ChannelRole> channels(NodeId peer) {
        View v = views.get(peer);
        return v == null ? Map.of() : v.channels;
    }

    /** The endpoints {@code peer} advertised last, sorted; empty if none. Any thread. */
    List<String> endpoints(NodeId peer) {
        View v = views.get(peer);
        return v == null ? List.of() : List.copyOf(new TreeSet<>(v.endpoints));
    }

    /**
     * Completes {@code future} when {@code peer} advertises handler {@code name} (an endpoint if {@code endpoint}), now
     * if it did; fails it at {@code deadline}.
     */
    void await(
            NodeId peer,
            boolean endpoint,
            String name,
            long deadline,
            Duration timeout,
            CompletableFuture<Void> future) {
        View v = views.get(peer);
        if (v != null && v.has(endpoint, name)) {
            future.complete(null);
            return;
        }
        Awaiter w = new Awaiter(peer, endpoint, name, deadline, timeout, future);
        waiting.computeIfAbsent(peer, p -> new ArrayList<>()).add(w);
        deadlines.add(w);
        if (v != null && v.endpointsMore) lookUp(w);
    }

    /** The wait completing {@code future} ends, if it still waits: the application completed the future itself. */
    void withdraw(NodeId peer, CompletableFuture<Void> future) {
        List<Awaiter> l = waiting.get(peer);
        if (l == null) return;
        for (Awaiter w : l) {
            if (w.future != future) continue;
            l.remove(w);
            if (l.isEmpty()) waiting.remove(peer);
            deadlines.remove(w);
            return;
        }
    }

    /** Every turn: waits whose deadline passed fail. */
    void tick(long now) {
        if (deadlines.size() == 0) return;
        deadlines.expire(now, w -> {
            List<Awaiter> l = waiting.get(w.peer);
            if (l != null) {
                l.remove(w);
                if (l.isEmpty()) waiting.remove(w.peer);
            }
            w.future.completeExceptionally(w.notAdvertised(views.get(w.peer)));
        });
    }

    /**
     * {@code peer} connected (again): its list is forgotten, since it advertises again on the new connection if it has
     * handlers, and sends nothing if it has none (after a restart, say). The {@code seq} is kept, so an advertisement
     * of the old connection that arrives late (one stored before a restart) still loses to any newer one.
     */
    void reconnected(NodeId peer) {
        connected.add(peer);
        views.computeIfPresent(peer, (p, v) -> View.empty(v.seq));
    }

    /** {@code peer} disconnected: it is not picked until it connects again (node thread). */
    void disconnected(NodeId peer) {
        connected.remove(peer);
    }

    /**
     * A connected peer whose latest advertisement lists {@code handler}, with the fewest {@code outstanding} calls
     * from this node; among those, the next in id order after the one picked for {@code handler} before (round
     * robin); null if there is none. Any thread.
     */
    NodeId pick(String handler, ToIntFunction<NodeId> outstanding) {
        List<NodeId> able = new ArrayList<>();
        int least = Integer.MAX_VALUE;
        for (Map.Entry<NodeId, View> e : views.entrySet()) {
            if (!connected.contains(e.getKey()) || !e.getValue().names.contains(handler)) continue;
            int load = outstanding.applyAsInt(e.getKey());
            if (load > least) continue;
            if (load < least) able.clear();
            least = load;
            able.add(e.getKey());
        }
        if (able.isEmpty()) return null;
        able.sort(null);
        if (turns.size() > MAX_TURNS) turns.clear(); // positions only spread the load: losing them is harmless
        int turn = turns.computeIfAbsent(handler, h -> new AtomicInteger()).getAndIncrement();
        return able.get(Math.floorMod(turn, able.size()));
    }

    /** {@code peer} was removed: what it advertised is forgotten (waits go on until their deadline). */
    void forget(NodeId peer) {
        views.remove(peer);
        connected.remove(peer);
    }

    /** Waits in progress. */
    int waiting() {
        return deadlines.size();
    }

    /** Advertisements ignored because a newer one was known. */
    long stale() {
        return stale;
    }

    /** The node stops: every wait fails. */
    void failAll(NodeClosedException e) {
        List<Awaiter> all = new ArrayList<>();
        deadlines.expire(Long.MAX_VALUE, all::add);
        waiting.clear();
        for (Awaiter w : all) w.future.completeExceptionally(e);
    }
}
