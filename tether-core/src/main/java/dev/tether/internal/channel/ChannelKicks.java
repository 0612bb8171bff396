package dev.tether.internal.channel;

import dev.tether.ChannelAccessDeniedException;
import dev.tether.Channels;
import dev.tether.InvalidIdException;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.runtime.ChannelPort;
import dev.tether.internal.runtime.NodeFuture;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.RoutedDelivery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Kicks (docs/CHANNELS-DESIGN.md, section 5b): the nodes banned from a channel, on every node that learnt of the kick,
 * and the channels this node itself was kicked from. Each kick or re-admission is a {@link Verdict} (generation,
 * decider), stored under {@code ban/<channel>/<node>} on the nodes that hold it and under {@code kicked/<channel>} on
 * the kicked node; a node takes a verdict only if it supersedes the one it holds, so a kick and a re-admission racing
 * across nodes end the same everywhere. A kick asked of one node is stored there (pending) with the removal of the
 * node from its log's readers, then told on the lane {@value ChannelLayer#LANE} to every known peer ({@code
 * kick:<channel>:<node>:<generation>}), which stores it too, and to the kicked node ({@code
 * kicked:<channel>:<by>:<generation>}), which deletes its membership, tells every peer it leaves, drops what publishers
 * still send it on the channel and refuses its own joins until it is told it is re-admitted. Once every tell is stored
 * the verdict is stored as done; a restarted node tells again what a pending verdict it decided did not finish. A node
 * that holds a ban answers a join of the banned node with the kick again instead of a reader row. Any peer may kick or
 * re-admit: peers are authenticated members of the cluster, and management itself requires authentication beyond
 * loopback.
 *
 * <p>Thread-safe: the maps are concurrent and changed on the node thread; management's requests come from its own
 * threads and hand their work to the node thread.
 */
final class ChannelKicks {
    /** The key-value namespace of bans ({@code ban/<channel>/<node>}) and own kicks ({@code kicked/<channel>}). */
    static final String NAMESPACE = "_chkick";

    private static final System.Logger LOG = System.getLogger(ChannelKicks.class.getName());
    private static final String BAN = "ban/";
    private static final String KICKED = "kicked/";

    private final NodeRuntime runtime;
    private final ChannelPort port;
    private final BiFunction<NodeId, String, SendReceipt> tell;
    /** The verdict of each node, by {@code <channel>/<node>}. */
    private final Map<String, Verdict> bans = new ConcurrentHashMap<>();
    /** The verdict of this node, by channel. */
    private final Map<String, Verdict> own = new ConcurrentHashMap<>();

    /** Kicks of {@code runtime}, whose store holds {@code stored} (this namespace); tells peers through {@code tell}. */
    ChannelKicks(
            NodeRuntime runtime,
            ChannelPort port,
            Map<String, byte[]> stored,
            BiFunction<NodeId, String, SendReceipt> tell) {
        this.runtime = runtime;
        this.port = port;
        this.tell = tell;
        stored.forEach(this::restore);
    }

    /** A stored verdict; one stored before verdicts is the kicker's id: a ban of generation 0, told again once. */
    private void restore(String key, byte[] value) {
        try {
            Verdict v = value.length > 0 && (value[0] & 0xFF) == 0xFE
                    ? Verdict.decode(value)
                    : new Verdict(true, 0, NodeId.of(new String(value, StandardCharsets.UTF_8)), true, List.of());
            if (key.startsWith(BAN)) bans.put(key.substring(BAN.length()), v);
            else if (key.startsWith(KICKED)) own.put(key.substring(KICKED.length()), v.done());
        } catch (IOException | InvalidIdException e) {
            LOG.log(System.Logger.Level.WARNING, "unreadable stored kick " + key + " ignored: " + e.getMessage());
        }
    }

    /** The node runs: the tells of pending verdicts decided here are made again (any thread). */
    void started() {
        bans.forEach((key, v) -> {
            if (!v.pending() || !v.by().equals(runtime.id())) return;
            int slash = key.indexOf('/');
            String channel = key.substring(0, slash);
            NodeId node = NodeId.of(key.substring(slash + 1));
            try {
                runtime.post(now -> followUp(channel, node, v));
            } catch (RuntimeException stopped) { // shut down already
            }
        });
    }

    // ---- this node --------------------------------------------------------------------------------------------

    /** The nodes banned here, sorted, by channel: a copy. */
    Map<String, List<NodeId>> banned() {
        Map<String, List<NodeId>> m = new TreeMap<>();
        bans.forEach((k, v) -> {
            if (!v.banned()) return;
            int slash = k.indexOf('/');
            m.computeIfAbsent(k.substring(0, slash), c -> new ArrayList<>()).add(NodeId.of(k.substring(slash + 1)));
        });
        m.replaceAll((c, l) -> sorted(l));
        return m;
    }

    /** Whether this node holds a ban of {@code node} from {@code channel}. */
    boolean isBanned(String channel, NodeId node) {
        Verdict v = bans.get(key(channel, node));
        return v != null && v.banned();
    }

    /** Who kicked this node from {@code channel}, or null if it may join. */
    NodeId kickedBy(String channel) {
        Verdict v = own.get(channel);
        return v != null && v.banned() ? v.by() : null;
    }

    /** The failure of a join or publish of {@code channel}, which this node was kicked from by {@code by}. */
    ChannelAccessDeniedException denied(String channel, NodeId by) {
        return new ChannelAccessDeniedException("node " + runtime.id() + " was kicked from channel '" + channel
                + "' by " + by + " and may not join it until an operator re-admits it");
    }

    // ---- management: any thread but the node thread -------------------------------------------------------

    /**
     * Kicks {@code node} from {@code channel}: bans it here, removes it from this node's log's readers (both stored in
     * one batch), then tells every known peer and the kicked node. Completes once each tell is stored, with the peers
     * told (those whose tell is stored).
     */
    CompletableFuture<ChannelLayer.KickOutcome> kick(NodeId node, String channel) {
        check(node, channel, "kick");
        CompletableFuture<ChannelLayer.KickOutcome> done = new NodeFuture<>(runtime::onNodeThread);
        postOrFail(done, () -> {
            Verdict v = decided(channel, node, true);
            long backlog = port.readerBacklog(channel, node);
            List<Effect> writes = List.of(stored(BAN + key(channel, node), v), Effect.removeReader(channel, node));
            runtime.writeKeys(writes, () -> {
                runtime.emit(new TetherEvent.ChannelMemberKicked(channel, node, v.by(), Math.max(0, backlog)));
                followUp(channel, node, v)
                        .thenApply(told -> new ChannelLayer.KickOutcome(backlog >= 0, Math.max(0, backlog), told))
                        .whenComplete((o, e) -> complete(done, o, e));
            });
        });
        return done;
    }

    /**
     * Lifts the ban of {@code node} from {@code channel} here, then tells every known peer (completing with those whose
     * tell is stored), and the node itself once they have taken it.
     */
    CompletableFuture<List<NodeId>> readmit(NodeId node, String channel) {
        check(node, channel, "readmit");
        CompletableFuture<List<NodeId>> done = new NodeFuture<>(runtime::onNodeThread);
        postOrFail(done, () -> {
            Verdict v = decided(channel, node, false);
            runtime.writeKeys(
                    List.of(stored(BAN + key(channel, node), v)),
                    () -> followUp(channel, node, v).whenComplete((o, e) -> complete(done, o, e)));
        });
        return done;
    }

    /** Node thread: a new verdict of {@code node} on {@code channel}, decided here, taken as the one this node holds. */
    private Verdict decided(String channel, NodeId node, boolean banned) {
        Verdict v = new Verdict(banned, Verdict.next(bans.get(key(channel, node))), runtime.id(), true, List.of());
        bans.put(key(channel, node), v);
        return v;
    }

    private static <T> void complete(CompletableFuture<T> done, T value, Throwable e) {
        if (e == null) done.complete(value);
        else done.completeExceptionally(e);
    }

    private void check(NodeId node, String channel, String what) {
        Channels.requireApplicationChannel(channel);
        if (node.equals(runtime.id())) {
            throw new IllegalArgumentException(
                    "node " + node + " cannot " + what + " itself; it leaves a channel with leave()");
        }
    }

    /**
     * Node thread: tells every known peer but {@code node} verdict {@code v} decided here, and {@code node} itself (a
     * kick at once; a re-admission once the peers processed it, or after the join timeout if some are down: those may
     * still refuse a join until they take it); stores {@code v} as done once every tell is stored. Completes with the
     * peers whose tell is stored.
     */
    private CompletableFuture<List<NodeId>> followUp(String channel, NodeId node, Verdict v) {
        String suffix = ":" + channel + ":" + node + ":" + v.generation();
        String toNode = (v.banned() ? "kicked:" : "readmitted:") + channel + ":" + v.by() + ":" + v.generation();
        CompletableFuture<Tells.Told> peers =
                Tells.stored(runtime, tell, node, (v.banned() ? "kick" : "readmit") + suffix);
        return peers.thenCompose(t -> {
            CompletableFuture<Boolean> nodeTold = v.banned()
                    ? storedTell(node, toNode)
                    : CompletableFuture.allOf(t.receipts().values().stream()
                                    .map(SendReceipt::processed)
                                    .toArray(CompletableFuture<?>[]::new))
                            .orTimeout(JoinDeadline.millis(runtime), TimeUnit.MILLISECONDS)
                            .handle((x, e) -> null)
                            .thenCompose(x -> storedTell(node, toNode));
            if (!v.banned()) { // the peers' answer does not wait for the node's tell
                nodeTold.thenAccept(ok -> markDone(BAN + key(channel, node), v, ok && t.all()));
                return CompletableFuture.completedFuture(t.told());
            }
            return nodeTold.thenCompose(ok -> markDone(BAN + key(channel, node), v, ok && t.all()))
                    .thenApply(x -> t.told());
        });
    }

    /** Tells {@code node} {@code message}: true once it is stored, or if the node is unknown (nothing to tell it). */
    private CompletableFuture<Boolean> storedTell(NodeId node, String message) {
        CompletableFuture<Boolean> stored = new CompletableFuture<>();
        try {
            runtime.post(now -> {
                SendReceipt r = Tells.sendOrReport(runtime, tell, node, message);
                if (r == null) stored.complete(!runtime.peers().stream().anyMatch(p -> p.id().equals(node)));
                else r.accepted().handle((id, e) -> stored.complete(e == null));
            });
        } catch (RuntimeException e) {
            stored.complete(false);
        }
        return stored;
    }

    /** Stores {@code v} (under {@code key}) as done if {@code all} its tells are stored and it is still the verdict. */
    private CompletableFuture<Void> markDone(String key, Verdict v, boolean all) {
        CompletableFuture<Void> marked = new CompletableFuture<>();
        if (!all) return CompletableFuture.completedFuture(null); // told again at the next start
        postOrFail(marked, () -> {
            if (bans.replace(key.substring(BAN.length()), v, v.done())) {
                runtime.writeKeys(List.of(stored(key, v.done())), () -> marked.complete(null));
            } else {
                marked.complete(null); // a newer verdict
            }
        });
        return marked;
    }

    private static List<NodeId> sorted(Collection<NodeId> ids) {
        List<NodeId> l = new ArrayList<>(ids);
        l.sort(Comparator.comparing(NodeId::value));
        return l;
    }

    private void postOrFail(CompletableFuture<?> done, Runnable task) {
        try {
            runtime.post(now -> task.run());
        } catch (RuntimeException e) {
            done.completeExceptionally(new NodeClosedException("node " + runtime.id() + " is shut down"));
        }
    }

    // ---- messages from peers: node thread ---------------------------------------------------------------------

    /**
     * Takes {@code parts} ({@code kick}, {@code readmit}, {@code kicked} or {@code readmitted}, a channel, a node id,
     * a generation: without one, from a node of an earlier version, it supersedes what this node holds) from {@code
     * d}: stores what it changes, then acknowledges. False if it is not such a message (or malformed). {@code kicked}
     * calls {@code leave} with the channel, which deletes this node's membership and tells every peer it leaves.
     */
    boolean take(RoutedDelivery d, String[] parts, Consumer<String> leave) {
        boolean known = parts[0].equals("kick")
                || parts[0].equals("readmit")
                || parts[0].equals("kicked")
                || parts[0].equals("readmitted");
        boolean valid = known && (parts.length == 3 || parts.length == 4) && Channels.isValid(parts[1]);
        NodeId node = valid ? nodeOrNull(parts[2]) : null;
        if (node == null) return false;
        String channel = parts[1];
        boolean toMe = parts[0].startsWith("kicked") || parts[0].startsWith("readmitted");
        Map<String, Verdict> verdicts = toMe ? own : bans;
        String key = toMe ? channel : key(channel, node);
        Verdict last = verdicts.get(key);
        long generation = parts.length == 3 ? Verdict.next(last) : generationOrNegative(parts[3]);
        if (generation < 0) return false;
        boolean banned = parts[0].startsWith("kick");
        Verdict v = new Verdict(banned, generation, toMe ? node : d.from(), false, List.of());
        if ((!toMe && node.equals(runtime.id())) || !v.supersedes(last)) {
            d.ack(); // told by the kicker itself with "kicked"; or an older verdict (or this one again): it loses
            return true;
        }
        verdicts.put(key, v);
        if (!toMe) {
            long backlog = banned ? port.readerBacklog(channel, node) : -1;
            List<Effect> writes = banned
                    ? List.of(stored(BAN + key, v), Effect.removeReader(channel, node))
                    : List.of(stored(BAN + key, v));
            runtime.writeKeys(writes, () -> {
                if (banned)
                    runtime.emit(new TetherEvent.ChannelMemberKicked(channel, node, v.by(), Math.max(0, backlog)));
                d.ack(); // after the writes: a crash in between takes the verdict again, which changes nothing
            });
        } else if (banned) {
            leave.accept(channel);
            List<Effect> writes = List.of(ChannelPort.leaveEffect(channel), stored(KICKED + channel, v));
            runtime.writeKeys(writes, () -> {
                runtime.emit(new TetherEvent.ChannelKicked(channel, node));
                // publishers that did not take the kick yet stop serving this node: tell them it left, then ack
                Tells.stored(runtime, tell, runtime.id(), "leave:" + channel).whenComplete((t, e) -> d.ack());
            });
        } else {
            runtime.writeKeys(List.of(stored(KICKED + channel, v)), d::ack);
        }
        return true;
    }

    /**
     * Node thread: if {@code node} is banned from {@code channel}, refuses its join (acknowledged without a reader row,
     * reported, and the kick told to it again) and returns true.
     */
    boolean refusedJoin(RoutedDelivery d, String channel, NodeId node) {
        Verdict v = bans.get(key(channel, node));
        if (v == null || !v.banned()) return false;
        d.ackWith(Effect.removeReader(channel, node));
        runtime.emit(new TetherEvent.ChannelJoinRefused(channel, node, "kicked by " + v.by()));
        Tells.sendOrReport(runtime, tell, node, "kicked:" + channel + ":" + v.by() + ":" + v.generation());
        return true;
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

    private static Effect stored(String key, Verdict v) {
        return ChannelPort.putKey(NAMESPACE, key, v.encode());
    }

    private static String key(String channel, NodeId node) {
        return channel + "/" + node.value();
    }
}
