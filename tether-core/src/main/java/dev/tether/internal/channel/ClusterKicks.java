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
import dev.tether.UnknownPeerException;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.runtime.ChannelPort;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.RoutedDelivery;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Kicks from the whole cluster (docs/CHANNELS-DESIGN.md, section 5b): the node asked removes the kicked node as a peer
 * ({@code removePeer}, stored, so it stays removed across restarts), drops what it still owed it (its outbox to it is
 * purged, it stops being a reader of this node's channel logs, both counted), stores a ban that remembers who kicked
 * it and where it was reached, and tells every known peer {@code evict:<node>} on the lane {@value ChannelLayer#LANE};
 * each peer does the same before it acknowledges. The kicked node learns of it from every connection it tries: each is
 * refused with the reason. {@code readmit} lifts the bans ({@code unevict:<node>}) and adds the node again where it
 * was reached.
 *
 * <p>Thread-safe: the ban map is concurrent; messages from peers are taken on the node thread, and the membership
 * changes they cause (which wait for the node thread) run on the handler threads, the message acknowledged after.
 */
final class ClusterKicks {
    /** The key-value namespace of cluster bans; key: the kicked node's id. */
    static final String NAMESPACE = "_kick";

    private static final System.Logger LOG = System.getLogger(ClusterKicks.class.getName());

    /** Who kicked a node and where it was reached before. */
    private record Ban(NodeId by, List<String> addresses) {}

    private final NodeRuntime runtime;
    private final ChannelPort port;
    private final Supplier<Map<String, ChannelRole>> memberships;
    private final BiFunction<NodeId, String, SendReceipt> tell;
    private final Map<NodeId, Ban> bans = new ConcurrentHashMap<>();

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
                bans.put(NodeId.of(key), decode(value));
            } catch (IOException | RuntimeException e) { // InvalidIdException too
                LOG.log(System.Logger.Level.WARNING, "unreadable stored cluster kick " + key + " ignored: " + e);
            }
        });
    }

    /** What a kick did here: see {@code NodeKickResult}. */
    record Outcome(NodeId node, boolean wasKnown, long purged, long dropped, List<NodeId> told) {}

    /** The nodes kicked from the cluster as far as this node knows, sorted. */
    List<NodeId> kicked() {
        List<NodeId> l = new ArrayList<>(bans.keySet());
        l.sort(Comparator.comparing(NodeId::value));
        return l;
    }

    // ---- management: any thread but the node thread -------------------------------------------------------

    /** Kicks {@code node} from the cluster here, then tells every known peer; completes once it is removed here. */
    CompletableFuture<Outcome> kick(NodeId node) {
        check(node, "kick");
        NodeId self = runtime.id();
        List<String> addresses = addressesOf(node);
        return evictHere(node, self, addresses)
                .thenApplyAsync(
                        r -> {
                            List<NodeId> told = tellPeers(node, "evict:" + node);
                            return new Outcome(node, r.wasKnown(), r.purged(), r.dropped(), told);
                        },
                        runtime.handlerThreads());
    }

    /** Lifts the ban of {@code node} here and at every known peer, adding it again; completes with the peers told. */
    CompletableFuture<List<NodeId>> readmit(NodeId node) {
        check(node, "readmit");
        return unevictHere(node, true)
                .thenApplyAsync(v -> tellPeers(node, "unevict:" + node), runtime.handlerThreads());
    }

    private void check(NodeId node, String what) {
        if (node.equals(runtime.id())) {
            throw new IllegalArgumentException("node " + node + " cannot " + what + " itself from the cluster");
        }
    }

    private List<String> addressesOf(NodeId node) {
        Ban earlier = bans.get(node);
        for (PeerInfo p : runtime.peers()) {
            if (p.id().equals(node)) return p.addresses();
        }
        return earlier == null ? List.of() : earlier.addresses();
    }

    // ---- messages from peers: node thread ---------------------------------------------------------------------

    /** Takes {@code evict:<node>} or {@code unevict:<node>} from {@code d}; false if it is not such a message. */
    boolean take(RoutedDelivery d, String[] parts) {
        if (parts.length != 2 || !(parts[0].equals("evict") || parts[0].equals("unevict"))) return false;
        NodeId node = nodeOrNull(parts[1]);
        if (node == null) return false;
        if (node.equals(runtime.id())) { // a peer that still knows this node after it was kicked: nothing to do here
            d.ack();
            return true;
        }
        CompletableFuture<?> done =
                parts[0].equals("evict") ? evictHere(node, d.from(), addressesHere(node)) : unevictHere(node, false);
        done.whenComplete((v, e) -> {
            if (e == null) d.ack(); // after the change is stored: a crash before takes the message again
            else if (!(e.getCause() instanceof NodeClosedException)) d.fail("cluster kick not applied: " + e);
        });
        return true;
    }

    /** Node thread: where this node reaches {@code node} (a removed one is not listed: the stored ban says). */
    private List<String> addressesHere(NodeId node) {
        for (PeerInfo p : runtime.peers()) {
            if (p.id().equals(node)) return p.addresses();
        }
        Ban earlier = bans.get(node);
        return earlier == null ? List.of() : earlier.addresses();
    }

    /** What evicting did here. */
    private record Evicted(boolean wasKnown, long purged, long dropped) {}

    /**
     * Stores the ban and the removal of {@code node} from this node's channel logs (one batch), then purges its outbox
     * and removes it as a peer on a handler thread (both wait for the node thread), reporting {@code NodeKicked}.
     */
    private CompletableFuture<Evicted> evictHere(NodeId node, NodeId by, List<String> addresses) {
        CompletableFuture<Long> stored = new CompletableFuture<>();
        post(stored, () -> {
            bans.put(node, new Ban(by, addresses));
            List<Effect> writes = new ArrayList<>();
            writes.add(ChannelPort.putKey(NAMESPACE, node.value(), encode(by, addresses)));
            long dropped = 0;
            for (String channel : logs()) {
                long backlog = port.readerBacklog(channel, node);
                if (backlog < 0) continue;
                dropped += backlog;
                writes.add(Effect.removeReader(channel, node));
            }
            long total = dropped;
            runtime.writeKeys(writes, () -> stored.complete(total));
        });
        return stored.thenApplyAsync(
                dropped -> {
                    long purged = runtime.operations()
                            .onNodeThread((now, e) -> e.purge(now, node, null))
                            .join()[1];
                    PeerRemoval r = runtime.removePeer(node);
                    runtime.post(now -> runtime.emit(new TetherEvent.NodeKicked(node, by, purged, dropped)));
                    return new Evicted(r.wasKnown(), purged, dropped);
                },
                runtime.handlerThreads());
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

    /**
     * Deletes the ban of {@code node} and adds it again where it was reached, if this node held one or {@code always}
     * (asked by an operator here); the addition runs on a handler thread.
     */
    private CompletableFuture<Void> unevictHere(NodeId node, boolean always) {
        CompletableFuture<Ban> stored = new CompletableFuture<>();
        post(stored, () -> {
            Ban ban = bans.remove(node);
            runtime.writeKeys(List.of(Effect.delete(NAMESPACE, node.value())), () -> stored.complete(ban));
        });
        return stored.thenAcceptAsync(
                ban -> {
                    if (ban != null || always) runtime.addPeer(node, ban == null ? List.of() : ban.addresses());
                },
                runtime.handlerThreads());
    }

    /** Tells every known peer but {@code node} {@code message}; returns those told, sorted. */
    private List<NodeId> tellPeers(NodeId node, String message) {
        List<NodeId> told = new ArrayList<>();
        for (PeerInfo p : runtime.peers()) {
            if (p.id().equals(node)) continue;
            try {
                tell.apply(p.id(), message);
                told.add(p.id());
            } catch (UnknownPeerException e) { // removed meanwhile
            } catch (RuntimeException e) {
                runtime.post(now -> runtime.emit(new TetherEvent.ApplicationError(
                        "cluster message '" + message + "' to " + p.id(), "not sent: " + e)));
            }
        }
        told.sort(Comparator.comparing(NodeId::value));
        return told;
    }

    private void post(CompletableFuture<?> done, Runnable task) {
        try {
            runtime.post(now -> task.run());
        } catch (RuntimeException e) {
            done.completeExceptionally(new NodeClosedException("node " + runtime.id() + " is shut down"));
        }
    }

    private static NodeId nodeOrNull(String id) {
        try {
            return NodeId.of(id);
        } catch (InvalidIdException e) {
            return null;
        }
    }

    private static byte[] encode(NodeId by, List<String> addresses) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(by.value());
            out.writeShort(addresses.size());
            for (String a : addresses) out.writeUTF(a);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    private static Ban decode(byte[] value) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
        NodeId by = NodeId.of(in.readUTF());
        int n = in.readUnsignedShort();
        List<String> addresses = new ArrayList<>(n);
        for (int i = 0; i < n; i++) addresses.add(in.readUTF());
        if (in.available() != 0) throw new IOException(in.available() + " trailing bytes");
        return new Ban(by, List.copyOf(addresses));
    }
}
