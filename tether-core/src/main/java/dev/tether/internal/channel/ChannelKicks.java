package dev.tether.internal.channel;

import dev.tether.ChannelAccessDeniedException;
import dev.tether.Channels;
import dev.tether.InvalidIdException;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.UnknownPeerException;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.runtime.ChannelPort;
import dev.tether.internal.runtime.NodeFuture;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.RoutedDelivery;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
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
 * and the channels this node itself was kicked from. A kick asked of one node is stored there, then told on the lane
 * {@value ChannelLayer#LANE} to every known peer ({@code kick:<channel>:<node>}), which stores it too, and to the
 * kicked node ({@code kicked:<channel>:<by>}), which deletes its membership and refuses its own joins until it is told
 * it is re-admitted. A node that holds a ban removes the kicked node from the readers of its log of the channel (its
 * pending copies are dropped and counted) and answers a join of it with the kick again instead of a reader row. Both
 * are kept in the store's key-value area, so they outlive restarts. Any peer may kick or re-admit: peers are
 * authenticated members of the cluster, and management itself requires authentication beyond loopback.
 *
 * <p>Thread-safe: the maps are concurrent; messages from peers are taken on the node thread, management's requests
 * come from its own threads and hand their work to the node thread.
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
    /** Who kicked each banned node, by {@code <channel>/<node>}. */
    private final Map<String, NodeId> bans = new ConcurrentHashMap<>();
    /** Who kicked this node, by channel. */
    private final Map<String, NodeId> kickedBy = new ConcurrentHashMap<>();

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

    private void restore(String key, byte[] value) {
        try {
            NodeId by = NodeId.of(new String(value, StandardCharsets.UTF_8));
            if (key.startsWith(BAN)) bans.put(key.substring(BAN.length()), by);
            else if (key.startsWith(KICKED)) kickedBy.put(key.substring(KICKED.length()), by);
        } catch (InvalidIdException e) {
            LOG.log(System.Logger.Level.WARNING, "unreadable stored kick " + key + " ignored: " + e.getMessage());
        }
    }

    // ---- this node --------------------------------------------------------------------------------------------

    /** The nodes banned here, sorted, by channel: a copy. */
    Map<String, List<NodeId>> banned() {
        Map<String, List<NodeId>> m = new TreeMap<>();
        for (String k : bans.keySet()) {
            int slash = k.indexOf('/');
            m.computeIfAbsent(k.substring(0, slash), c -> new ArrayList<>()).add(NodeId.of(k.substring(slash + 1)));
        }
        m.replaceAll((c, l) -> sorted(l));
        return m;
    }

    /** Whether this node holds a ban of {@code node} from {@code channel}. */
    boolean isBanned(String channel, NodeId node) {
        return bans.containsKey(key(channel, node));
    }

    /** Who kicked this node from {@code channel}, or null if it may join. */
    NodeId kickedBy(String channel) {
        return kickedBy.get(channel);
    }

    /** The failure of a join or publish of {@code channel}, which this node was kicked from by {@code by}. */
    ChannelAccessDeniedException denied(String channel, NodeId by) {
        return new ChannelAccessDeniedException("node " + runtime.id() + " was kicked from channel '" + channel
                + "' by " + by + " and may not join it until an operator re-admits it");
    }

    // ---- management: any thread but the node thread -------------------------------------------------------

    /**
     * Kicks {@code node} from {@code channel}: bans it here, removes it from this node's log's readers (both stored in
     * one batch), then tells every known peer and the kicked node. Completes once the ban is stored.
     */
    CompletableFuture<ChannelLayer.KickOutcome> kick(NodeId node, String channel) {
        check(node, channel, "kick");
        NodeId self = runtime.id();
        CompletableFuture<ChannelLayer.KickOutcome> done = new NodeFuture<>(runtime::onNodeThread);
        postOrFail(done, () -> {
            bans.put(key(channel, node), self);
            long backlog = port.readerBacklog(channel, node);
            List<Effect> writes = List.of(ban(channel, node, self), Effect.removeReader(channel, node));
            runtime.writeKeys(writes, () -> {
                runtime.emit(new TetherEvent.ChannelMemberKicked(channel, node, self, Math.max(0, backlog)));
                List<NodeId> told = tellAll(node, "kick:" + channel + ":" + node, "kicked:" + channel + ":" + self);
                done.complete(new ChannelLayer.KickOutcome(backlog >= 0, Math.max(0, backlog), told));
            });
        });
        return done;
    }

    /**
     * Lifts the ban of {@code node} from {@code channel} here, then tells every known peer (completing with them),
     * and the node itself once they have taken it.
     */
    CompletableFuture<List<NodeId>> readmit(NodeId node, String channel) {
        check(node, channel, "readmit");
        NodeId self = runtime.id();
        CompletableFuture<List<NodeId>> done = new NodeFuture<>(runtime::onNodeThread);
        postOrFail(done, () -> {
            bans.remove(key(channel, node));
            runtime.writeKeys(List.of(Effect.delete(NAMESPACE, BAN + key(channel, node))), () -> {
                Map<NodeId, SendReceipt> told = tellPeers(node, "readmit:" + channel + ":" + node);
                done.complete(sorted(told.keySet()));
                // the node hears it may join once the peers lifted the ban (a join before would be refused again),
                // or after the join timeout if some are down: those may still refuse a join until they take it
                CompletableFuture.allOf(told.values().stream()
                                .map(SendReceipt::processed)
                                .toArray(CompletableFuture<?>[]::new))
                        .orTimeout(ChannelLayer.joinTimeoutMillis(runtime), TimeUnit.MILLISECONDS)
                        .whenComplete((v, e) -> tellOrReport(node, "readmitted:" + channel + ":" + self));
            });
        });
        return done;
    }

    private void check(NodeId node, String channel, String what) {
        Channels.requireApplicationChannel(channel);
        if (node.equals(runtime.id())) {
            throw new IllegalArgumentException(
                    "node " + node + " cannot " + what + " itself; it leaves a channel with leave()");
        }
    }

    /** Node thread: tells every known peer but {@code node} {@code toPeers}, then {@code node} {@code toNode}. */
    private List<NodeId> tellAll(NodeId node, String toPeers, String toNode) {
        List<NodeId> told = sorted(tellPeers(node, toPeers).keySet());
        tellOrReport(node, toNode);
        return told;
    }

    /** Node thread: tells every known peer but {@code node} {@code message}; returns the receipts by peer. */
    private Map<NodeId, SendReceipt> tellPeers(NodeId node, String message) {
        Map<NodeId, SendReceipt> told = new HashMap<>();
        for (PeerInfo p : runtime.peers()) {
            if (p.id().equals(node)) continue;
            SendReceipt r = tellOrReport(p.id(), message);
            if (r != null) told.put(p.id(), r);
        }
        return told;
    }

    /** Tells {@code peer} {@code message} if it is known; a refused send (the node stopping) is reported. */
    private SendReceipt tellOrReport(NodeId peer, String message) {
        try {
            return tell.apply(peer, message);
        } catch (UnknownPeerException e) { // kicked before it was ever known: nothing to tell it
            return null;
        } catch (RuntimeException e) {
            runtime.post(now -> runtime.emit(new TetherEvent.ApplicationError(
                    "channel message '" + message + "' to " + peer, "not sent: " + e)));
            return null;
        }
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
     * Takes {@code parts} ({@code kick}, {@code readmit}, {@code kicked} or {@code readmitted}, a channel, a node id)
     * from {@code d}: stores what it changes, then acknowledges. False if it is not such a message (or malformed).
     * {@code leave} deletes this node's own membership when it is kicked.
     */
    boolean take(RoutedDelivery d, String[] parts, Consumer<String> leave) {
        NodeId node = parts.length == 3 && Channels.isValid(parts[1]) ? nodeOrNull(parts[2]) : null;
        if (node == null) return false;
        String channel = parts[1];
        NodeId from = d.from();
        switch (parts[0]) {
            case "kick" -> {
                if (node.equals(runtime.id())) { // told by the kicker itself with "kicked"
                    d.ack();
                    return true;
                }
                boolean isNew = bans.put(key(channel, node), from) == null;
                long backlog = port.readerBacklog(channel, node);
                List<Effect> writes = List.of(ban(channel, node, from), Effect.removeReader(channel, node));
                runtime.writeKeys(writes, () -> {
                    if (isNew || backlog >= 0) {
                        runtime.emit(new TetherEvent.ChannelMemberKicked(channel, node, from, Math.max(0, backlog)));
                    }
                    d.ack(); // after the writes: a crash in between takes the kick again, which changes nothing
                });
            }
            case "readmit" -> {
                bans.remove(key(channel, node));
                runtime.writeKeys(List.of(Effect.delete(NAMESPACE, BAN + key(channel, node))), d::ack);
            }
            case "kicked" -> {
                boolean isNew = kickedBy.put(channel, node) == null;
                leave.accept(channel);
                List<Effect> writes = List.of(
                        ChannelPort.leaveEffect(channel), ChannelPort.putKey(NAMESPACE, KICKED + channel, utf8(node)));
                runtime.writeKeys(writes, () -> {
                    if (isNew) runtime.emit(new TetherEvent.ChannelKicked(channel, node));
                    d.ack();
                });
            }
            case "readmitted" -> {
                kickedBy.remove(channel);
                runtime.writeKeys(List.of(Effect.delete(NAMESPACE, KICKED + channel)), d::ack);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Node thread: if {@code node} is banned from {@code channel}, refuses its join (acknowledged without a reader row,
     * reported, and the kick told to it again) and returns true.
     */
    boolean refusedJoin(RoutedDelivery d, String channel, NodeId node) {
        NodeId by = bans.get(key(channel, node));
        if (by == null) return false;
        d.ackWith(Effect.removeReader(channel, node));
        runtime.emit(new TetherEvent.ChannelJoinRefused(channel, node, "kicked by " + by));
        tellOrReport(node, "kicked:" + channel + ":" + by);
        return true;
    }

    private static NodeId nodeOrNull(String id) {
        try {
            return NodeId.of(id);
        } catch (InvalidIdException e) {
            return null;
        }
    }

    private static Effect ban(String channel, NodeId node, NodeId by) {
        return ChannelPort.putKey(NAMESPACE, BAN + key(channel, node), utf8(by));
    }

    private static String key(String channel, NodeId node) {
        return channel + "/" + node.value();
    }

    private static byte[] utf8(NodeId id) {
        return id.value().getBytes(StandardCharsets.UTF_8);
    }
}
