package dev.tether.scenarios;

import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.MessageHandler;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Transport;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.NodeCrash;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Real nodes (threads, in-memory transport and stores) for scenario tests. Each node records what its
 * handler saw; crash and wipe replace a node while keeping or discarding its store.
 */
final class Cluster implements AutoCloseable {
    /** One delivery as the application saw it. */
    record Seen(NodeId from, String lane, long seq, String payload, boolean redelivery, int attempt) {}

    final InMemoryNetwork network = new InMemoryNetwork();
    private final List<NodeId> ids = new ArrayList<>();
    private final Map<NodeId, InMemoryStore> stores = new HashMap<>();
    private final Map<NodeId, TetherNode> nodes = new ConcurrentHashMap<>();
    private final Map<NodeId, List<Seen>> seen = new ConcurrentHashMap<>();
    private final Map<NodeId, List<TetherEvent>> events = new ConcurrentHashMap<>();
    private Function<NodeId, Transport> transports = id -> network.newTransport();

    Cluster(String... names) {
        for (String n : names) {
            NodeId id = NodeId.of(n);
            ids.add(id);
            stores.put(id, new InMemoryStore());
            seen.put(id, new CopyOnWriteArrayList<>());
            events.put(id, new CopyOnWriteArrayList<>());
        }
    }

    /** Wraps every transport created from now on. */
    Cluster transports(Function<NodeId, Transport> factory) {
        this.transports = factory;
        return this;
    }

    TetherNode start(String name) {
        return start(name, b -> {});
    }

    /** Starts a node that records deliveries (auto ack) unless {@code customize} sets another handler. */
    TetherNode start(String name, Consumer<TetherConfig.Builder> customize) {
        List<Seen> log = seen.get(NodeId.of(name));
        MessageHandler record = d -> log.add(seen(d));
        return launch(name, b -> customize.accept(b.handler(record)));
    }

    /**
     * Starts a node configured with no peers at all (it admits them as they connect), recording deliveries unless
     * {@code customize} sets another handler.
     */
    TetherNode startUnconfigured(String name, Consumer<TetherConfig.Builder> customize) {
        List<Seen> log = seen.get(NodeId.of(name));
        MessageHandler record = d -> log.add(seen(d));
        return launch(name, List.of(), b -> customize.accept(b.handler(record)));
    }

    /** Starts a node without a handler: the test pulls with {@code receive}. */
    TetherNode startPull(String name) {
        return launch(name, b -> {});
    }

    /** Starts a node without a handler, configured further by {@code customize}. */
    TetherNode startPull(String name, Consumer<TetherConfig.Builder> customize) {
        return launch(name, customize);
    }

    private TetherNode launch(String name, Consumer<TetherConfig.Builder> customize) {
        return launch(name, others(NodeId.of(name)), customize);
    }

    private TetherNode launch(String name, List<NodeId> peers, Consumer<TetherConfig.Builder> customize) {
        NodeId id = NodeId.of(name);
        TetherConfig.Builder b = TetherConfig.builder(id)
                .peers(peers)
                .transport(transports.apply(id))
                .store(stores.get(id))
                .durability(Durability.MEMORY)
                .retransmitTimeout(Duration.ofMillis(50), Duration.ofMillis(500))
                .listener(events.get(id)::add);
        customize.accept(b);
        TetherNode node = Tether.start(b.build());
        nodes.put(id, node);
        return node;
    }

    static Seen seen(Delivery d) {
        return new Seen(
                d.from(),
                d.lane(),
                d.seq(),
                new String(d.payloadBytes(), StandardCharsets.UTF_8),
                d.isRedelivery(),
                d.attempt());
    }

    List<NodeId> others(NodeId id) {
        List<NodeId> l = new ArrayList<>(ids);
        l.remove(id);
        return l;
    }

    TetherNode node(String name) {
        return nodes.get(NodeId.of(name));
    }

    /** Stops the node abruptly (nothing drained) and reopens its store from what was committed. */
    void crash(String name) {
        NodeId id = NodeId.of(name);
        TetherNode n = nodes.remove(id);
        if (n != null) n.close();
        stores.put(id, stores.get(id).reopenAfterCrash());
    }

    /**
     * Kills the node in-process as SIGKILL would ({@link NodeCrash}: nothing more is committed) and reopens its
     * store from what was committed.
     */
    void kill(String name) {
        NodeId id = NodeId.of(name);
        TetherNode n = nodes.remove(id);
        if (n != null) NodeCrash.crash(n);
        stores.put(id, stores.get(id).reopenAfterCrash());
    }

    /** Stops the node and replaces its store with an empty one: a new incarnation. */
    void wipe(String name) {
        NodeId id = NodeId.of(name);
        TetherNode n = nodes.remove(id);
        if (n != null) n.close();
        stores.put(id, new InMemoryStore());
    }

    InMemoryStore store(String name) {
        return stores.get(NodeId.of(name));
    }

    List<Seen> seen(String name) {
        return seen.get(NodeId.of(name));
    }

    List<TetherEvent> events(String name) {
        return events.get(NodeId.of(name));
    }

    /** Payloads seen by {@code receiver} from {@code sender} on {@code lane}, in delivery order. */
    List<String> payloads(String receiver, String sender, String lane) {
        List<String> l = new ArrayList<>();
        for (Seen s : seen(receiver)) {
            if (s.from().value().equals(sender) && s.lane().equals(lane)) l.add(s.payload());
        }
        return l;
    }

    /** Distinct payloads in first-delivery order. */
    List<String> firstDeliveries(String receiver, String sender, String lane) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (String p : payloads(receiver, sender, lane)) m.putIfAbsent(p, true);
        return new ArrayList<>(m.keySet());
    }

    static List<String> numbered(String prefix, int from, int toExclusive) {
        List<String> l = new ArrayList<>();
        for (int i = from; i < toExclusive; i++) l.add(prefix + i);
        return Collections.unmodifiableList(l);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (TetherNode n : nodes.values()) n.close();
        nodes.clear();
    }
}
