package dev.tether.transport.tcp;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.bus.Bus;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Transport;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/** Two real nodes a and b with in-memory stores, on the in-memory transport or over TCP, for the endpoint tests. */
final class EndpointNodes implements AutoCloseable {
    static final NodeId A = NodeId.of("a");
    static final NodeId B = NodeId.of("b");

    /** The transport between the two nodes. */
    enum Net {
        MEMORY,
        TCP
    }

    private final List<TetherNode> nodes = new ArrayList<>();
    private final List<InMemoryStore> stores = new ArrayList<>();
    /** The events each node (a: 0, b: 1) reported, in order. */
    private final List<List<TetherEvent>> events = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());

    private final ProxiedCluster tcp;
    private final InMemoryNetwork memory;
    /** Adds to each node's configuration (at every start). */
    private final BiConsumer<NodeId, TetherConfig.Builder> configure;

    EndpointNodes(Net net, long seed) {
        this(net, seed, (id, b) -> {});
    }

    /** Two nodes whose configurations {@code configure} adds to (at every start of either). */
    EndpointNodes(Net net, long seed, BiConsumer<NodeId, TetherConfig.Builder> configure) {
        this.configure = configure;
        tcp = net == Net.TCP ? new ProxiedCluster(seed, List.of(A, B), b -> b) : null;
        memory = net == Net.MEMORY ? new InMemoryNetwork() : null;
        start(A, B);
        start(B, A);
    }

    private void start(NodeId self, NodeId peer) {
        stores.add(new InMemoryStore());
        nodes.add(node(self, peer, stores.get(stores.size() - 1)));
    }

    /**
     * Closes node {@code i} and starts it again on its store (what it stored survives, as after a restart of the node
     * in its process); on the in-memory transport only.
     */
    TetherNode restart(int i) {
        if (memory == null) throw new IllegalStateException("restart is for the in-memory transport");
        nodes.get(i).close();
        stores.set(i, stores.get(i).reopenAfterCrash());
        nodes.set(i, node(i == 0 ? A : B, i == 0 ? B : A, stores.get(i)));
        return nodes.get(i);
    }

    private TetherNode node(NodeId self, NodeId peer, InMemoryStore store) {
        Transport t = tcp != null ? tcp.newTransport(self) : memory.newTransport();
        List<TetherEvent> reported = events.get(self.equals(A) ? 0 : 1);
        TetherConfig.Builder b = TetherConfig.builder(self)
                .listener(reported::add)
                .peers(peer)
                .transport(t)
                .store(store)
                .durability(Durability.MEMORY)
                .handlerThreads(8)
                .retransmitTimeout(Duration.ofMillis(100), Duration.ofSeconds(1));
        configure.accept(self, b);
        return Tether.start(b.build());
    }

    /** Node a (0) or b (1). */
    TetherNode node(int i) {
        return nodes.get(i);
    }

    /** The events node {@code i} reported so far (across restarts). */
    List<TetherEvent> events(int i) {
        return events.get(i);
    }

    Bus bus(int i) {
        return Tether.bus(nodes.get(i));
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** How {@code r}'s message was taken care of, waiting up to a minute. */
    static Outcome outcome(SendReceipt r) throws Exception {
        return r.processed().get(60, TimeUnit.SECONDS);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code n} received at least one message on inbound stream ({@code from}, {@code lane}). */
    static boolean received(TetherNode n, NodeId from, String lane) {
        return n.stats().streams(from).stream()
                .anyMatch(s -> s.direction() == StreamStats.Direction.INBOUND
                        && s.lane().equals(lane)
                        && s.lastSeq() >= 1);
    }

    @Override
    public void close() {
        nodes.forEach(TetherNode::close);
        if (tcp != null) tcp.close();
    }
}
