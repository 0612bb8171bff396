package dev.tether.internal.channel;

import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.InvalidIdException;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.PeerRemoval;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.runtime.ChannelPort;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.PeerKick;
import dev.tether.internal.runtime.RoutedDelivery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Kicks from the whole cluster (docs/CHANNELS-DESIGN.md, section 5b). Each kick or re-admission is a {@link Verdict}
 * with a generation, stored under the kicked node's id (namespace {@value #NAMESPACE}) with the removal of the node
 * from this node's channel logs' readers, in one batch, marked pending. Its follow-ups come after: a kick removes the node
 * as a peer and purges this node's outbox to it in one node-thread step ({@code NodeRuntime.kickPeer}, stored: no
 * send is stored for it in between); a re-admission adds it again where it
 * was reached; the node that decided tells every known peer ({@code evict:<node>:<generation>} or {@code
 * unevict:<node>:<generation>} on the lane {@value ChannelLayer#LANE}) and waits until each tell is stored. Then the
 * verdict is stored as done. A node restarted while a verdict was pending does its follow-ups again ({@link #started}):
 * each is idempotent, so a crash anywhere leaves no banned peer with streams or outbox entries, and no peer untold.
 *
 * <p>A peer takes a verdict only if it supersedes the one it holds ({@link Verdict#supersedes}); an older one is
 * acknowledged and ignored, so a kick and a re-admission racing across nodes end the same on every node. A peer
 * acknowledges a verdict it takes once its follow-ups are done (a crash before takes it again).
 *
 * <p>Thread-safe: the verdict map is concurrent and changed on the node thread; the membership changes (which wait for
 * the node thread) run on the handler threads.
 */
final class ClusterKicks {
    /** The key-value namespace of cluster verdicts; key: the kicked node's id. */
    static final String NAMESPACE = "_kick";

    private static final System.Logger LOG = System.getLogger(ClusterKicks.class.getName());

    private final NodeRuntime runtime;
    private final ChannelPort port;
    private final Supplier<Map<String, ChannelRole>> memberships;
    private final BiFunction<NodeId, String, SendReceipt> tell;
    private final Map<NodeId, Verdict> verdicts = new ConcurrentHashMap<>();

    /** Cluster kicks of {@code runtime}, whose store holds {@code stored} (this namespace). */
    ClusterKicks(
            NodeRuntime runtime,
            Map<String, byte[]> stored,
            Supplier<Map<String, ChannelRole>> memberships,
            BiFunction<NodeId, String, SendReceipt> tell) {
        this.runtime = runtime;
        this.port = runtime.channels();
        this.memberships = memberships;
        this.tell = tell;
        stored.forEach((key, value) -> {
            try {
                NodeId node = NodeId.of(key);
                Verdict v = Verdict.decode(value);
                verdicts.put(node, v);
                runtime.clusterVerdict(node, v.by(), v.generation(), v.banned());
            } catch (IOException | RuntimeException e) { // InvalidIdException too
                LOG.log(System.Logger.Level.WARNING, "unreadable stored cluster kick " + key + " ignored: " + e);
            }
        });
    }

    /** What a kick did here: see {@code NodeKickResult}; {@code told}: the peers whose tell is stored. */
    record Outcome(NodeId node, boolean wasKnown, long purged, long dropped, List<NodeId> told) {}

    /** The nodes kicked from the cluster as far as this node knows, sorted. */
    List<NodeId> kicked() {
        List<NodeId> l = new ArrayList<>();
        verdicts.forEach((node, v) -> {
            if (v.banned()) l.add(node);
        });
        l.sort(Comparator.comparing(NodeId::value));
        return l;
    }

    /** The node runs: the follow-ups of verdicts stored but not known to be done are done again (any thread). */
    void started() {
        verdicts.forEach((node, v) -> {
            if (v.pending()) followUp(node, v, 0).exceptionally(e -> null);
        });
    }

    // ---- management: any thread but the node thread -------------------------------------------------------

    /** Kicks {@code node} from the cluster here, then tells every known peer; completes once they are told. */
    CompletableFuture<Outcome> kick(NodeId node) {
        check(node, "kick");
        return decide(node, true);
    }

    /** Lifts the ban of {@code node} here and at every known peer, adding it again; completes with the peers told. */
    CompletableFuture<List<NodeId>> readmit(NodeId node) {
        check(node, "readmit");
        return decide(node, false).thenApply(Outcome::told);
    }

    private void check(NodeId node, String what) {
        if (node.equals(runtime.id())) {
            throw new IllegalArgumentException("node " + node + " cannot " + what + " itself from the cluster");
        }
    }

    /** Node thread, then handler threads: a new verdict decided here, stored, then followed up. */
    private CompletableFuture<Outcome> decide(NodeId node, boolean banned) {
        CompletableFuture<Long> stored = new CompletableFuture<>();
        CompletableFuture<Verdict> decided = new CompletableFuture<>();
        post(stored, () -> {
            Verdict last = verdicts.get(node);
            Verdict v = new Verdict(banned, Verdict.next(last), runtime.id(), true, addressesHere(node, last));
            decided.complete(v);
            store(node, v, stored);
        });
        return stored.thenCompose(dropped -> followUp(node, decided.join(), dropped));
    }

    /** Node thread: where this node reaches {@code node} (a removed one is not listed: its last verdict says). */
    private List<String> addressesHere(NodeId node, Verdict last) {
        for (PeerInfo p : runtime.peers()) {
            if (p.id().equals(node)) return p.addresses();
        }
        return last == null ? List.of() : last.addresses();
    }

    /**
     * Node thread: takes {@code v} as the verdict of {@code node} and stores it (pending), with a kick's removal of the
     * node from this node's channel logs' readers in the same batch; completes {@code stored} with their backlog.
     */
    private void store(NodeId node, Verdict v, CompletableFuture<Long> stored) {
        verdicts.put(node, v);
        runtime.clusterVerdict(node, v.by(), v.generation(), v.banned());
        List<Effect> writes = new ArrayList<>();
        writes.add(ChannelPort.putKey(NAMESPACE, node.value(), v.encode()));
        long dropped = 0;
        for (String channel : v.banned() ? logs() : List.<String>of()) {
            long backlog = port.readerBacklog(channel, node);
            if (backlog < 0) continue;
            dropped += backlog;
            writes.add(Effect.removeReader(channel, node));
        }
        long total = dropped;
        runtime.writeKeys(writes, () -> stored.complete(total));
    }

    /**
     * Handler thread: the follow-ups of {@code v} (pending), each idempotent: a kick purges the outbox to {@code node}
     * and removes it as a peer (reporting {@code NodeKicked}), a re-admission adds it again; a verdict decided here is
     * told to every known peer. Once all of it is done (each tell stored) the verdict is stored as done, unless a newer
     * one replaced it meanwhile.
     */
    private CompletableFuture<Outcome> followUp(NodeId node, Verdict v, long dropped) {
        return CompletableFuture.supplyAsync(
                        () -> {
                            if (!v.pending()) return new Outcome(node, false, 0, dropped, List.of());
                            if (!v.banned()) {
                                runtime.addPeer(node, v.addresses());
                                return new Outcome(node, true, 0, 0, List.of());
                            }
                            // One node-thread step: no send is stored for the node between purge and removal.
                            PeerKick k = runtime.kickPeer(node, true);
                            long purged = k.purged();
                            PeerRemoval r = k.removal();
                            runtime.post(
                                    now -> runtime.emit(new TetherEvent.NodeKicked(node, v.by(), purged, dropped)));
                            return new Outcome(node, r.wasKnown(), purged, dropped, List.of());
                        },
                        runtime.handlerThreads())
                .thenCompose(o -> {
                    if (!v.pending() || !v.by().equals(runtime.id())) return done(node, v, o, true);
                    String message = (v.banned() ? "evict:" : "unevict:") + node + ":" + v.generation();
                    return Tells.stored(runtime, tell, node, message)
                            .thenCompose(t -> done(
                                    node,
                                    v,
                                    new Outcome(node, o.wasKnown(), o.purged(), o.dropped(), t.told()),
                                    t.all()));
                });
    }

    /** Stores {@code v} as done if {@code all} its tells are stored and it is still the verdict; then {@code o}. */
    private CompletableFuture<Outcome> done(NodeId node, Verdict v, Outcome o, boolean all) {
        if (!all || !v.pending()) return CompletableFuture.completedFuture(o); // told again at the next start
        CompletableFuture<Long> marked = new CompletableFuture<>();
        post(marked, () -> {
            if (verdicts.replace(node, v, v.done())) {
                runtime.writeKeys(
                        List.of(ChannelPort.putKey(
                                NAMESPACE, node.value(), v.done().encode())),
                        () -> marked.complete(0L));
            } else {
                marked.complete(0L); // a newer verdict: its own follow-ups mark it
            }
        });
        return marked.thenApply(x -> o);
    }

    // ---- messages from peers: node thread ---------------------------------------------------------------------

    /**
     * Takes {@code evict:<node>[:<generation>]} or {@code unevict:<node>[:<generation>]} from {@code d}; false if it is
     * not such a message. Without a generation (a node of an earlier version) it supersedes whatever this node holds.
     */
    boolean take(RoutedDelivery d, String[] parts) {
        if ((parts.length != 2 && parts.length != 3) || !(parts[0].equals("evict") || parts[0].equals("unevict"))) {
            return false;
        }
        NodeId node = nodeOrNull(parts[1]);
        Verdict last = node == null ? null : verdicts.get(node);
        long generation = parts.length == 2 ? Verdict.next(last) : generationOrNegative(parts[2]);
        if (node == null || generation < 0) return false;
        if (node.equals(runtime.id())) { // a peer that still knows this node after it was kicked: nothing to do here
            d.ack();
            return true;
        }
        boolean banned = parts[0].equals("evict");
        // a re-admission re-adds the node only where a ban of it was held (others did not know it, or never took it)
        boolean followUps = banned || (last != null && last.banned());
        Verdict v = new Verdict(banned, generation, d.from(), followUps, addressesHere(node, last));
        if (!v.supersedes(last)) { // older, or taken already (its follow-ups are done again at a restart if pending)
            d.ack();
            return true;
        }
        CompletableFuture<Long> stored = new CompletableFuture<>();
        store(node, v, stored);
        stored.thenCompose(dropped -> followUp(node, v, dropped)).whenComplete((o, e) -> {
            if (e == null) d.ack(); // after the follow-ups: a crash before takes the message again
            else if (!(e.getCause() instanceof NodeClosedException)) d.fail("cluster kick not applied: " + e);
        });
        return true;
    }

    /** This node's channel logs: those of the channels it joined with a role that writes, and the broadcast log. */
    private List<String> logs() {
        List<String> l = new ArrayList<>();
        l.add(Channels.BROADCAST);
        memberships.get().forEach((channel, role) -> {
            if (role.writes()) l.add(channel);
        });
        return l;
    }

    private void post(CompletableFuture<?> done, Runnable task) {
        try {
            runtime.post(now -> task.run());
        } catch (RuntimeException e) {
            done.completeExceptionally(new NodeClosedException("node " + runtime.id() + " is shut down"));
        }
    }

    private static long generationOrNegative(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static NodeId nodeOrNull(String id) {
        try {
            return NodeId.of(id);
        } catch (InvalidIdException e) {
            return null;
        }
    }
}
