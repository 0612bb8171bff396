package dev.tether.transport.nats;

import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Store;
import dev.tether.store.memory.InMemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Real Tether nodes over NATS for node-level tests: each node has its own store (in memory unless the test
 * passes a factory), its own {@link NatsTransport}, and records what its handler saw.
 */
final class NatsNodes implements AutoCloseable {
    /** One delivery as the application saw it. */
    record Seen(NodeId from, String lane, String payload, boolean redelivery) {}

    /** Largest message the tests send; frames must fit the servers' default max_payload. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private final String prefix;
    private final List<NodeId> ids = new ArrayList<>();
    private final Map<NodeId, Store> stores = new HashMap<>();
    private final Map<NodeId, TetherNode> nodes = new ConcurrentHashMap<>();
    private final Map<NodeId, NatsTransport> transports = new ConcurrentHashMap<>();
    private final Map<NodeId, List<Seen>> seen = new ConcurrentHashMap<>();
    private final Map<NodeId, List<TetherEvent>> events = new ConcurrentHashMap<>();
    private Durability durability = Durability.MEMORY;
    private UnaryOperator<NatsTransport.Builder> transportSettings = b -> b;

    NatsNodes(String prefix, String... names) {
        this(prefix, id -> new InMemoryStore(), names);
    }

    NatsNodes(String prefix, Function<NodeId, Store> storeFactory, String... names) {
        this.prefix = prefix;
        for (String n : names) {
            NodeId id = NodeId.of(n);
            ids.add(id);
            stores.put(id, storeFactory.apply(id));
            seen.put(id, new CopyOnWriteArrayList<>());
            events.put(id, new CopyOnWriteArrayList<>());
        }
    }

    /** Adjusts the transport settings of nodes started from now on. */
    NatsNodes transports(UnaryOperator<NatsTransport.Builder> settings) {
        this.transportSettings = settings;
        return this;
    }

    NatsNodes durability(Durability d) {
        this.durability = d;
        return this;
    }

    /** Starts node {@code name} attached to any of {@code servers}. */
    TetherNode start(String name, List<String> servers) {
        NodeId id = NodeId.of(name);
        NatsTransport transport = transportSettings
                .apply(NatsTransportContractTest.NatsTransports.fast(servers.toArray(String[]::new))
                        .prefix(prefix))
                .build();
        List<Seen> log = seen.get(id);
        TetherConfig config = TetherConfig.builder(id)
                .peers(others(id))
                .transport(transport)
                .store(stores.get(id))
                .durability(durability)
                .maxMessageBytes(MAX_MESSAGE_BYTES)
                .retransmitTimeout(Duration.ofMillis(100), Duration.ofSeconds(1))
                .handler(d -> log.add(seen(d)))
                .listener(events.get(id)::add)
                .build();
        TetherNode node = Tether.start(config);
        nodes.put(id, node);
        transports.put(id, transport);
        return node;
    }

    TetherNode node(String name) {
        return nodes.get(NodeId.of(name));
    }

    NatsTransport transport(String name) {
        return transports.get(NodeId.of(name));
    }

    List<Seen> seen(String name) {
        return seen.get(NodeId.of(name));
    }

    List<TetherEvent> events(String name) {
        return events.get(NodeId.of(name));
    }

    /** Payloads {@code receiver} saw from {@code sender} on {@code lane}, in delivery order. */
    List<String> payloads(String receiver, String sender, String lane) {
        List<String> l = new ArrayList<>();
        for (Seen s : seen(receiver)) {
            if (s.from().value().equals(sender) && s.lane().equals(lane)) l.add(s.payload());
        }
        return l;
    }

    /**
     * Whether node {@code a} and node {@code b} each reported the other resumed ({@code PeerResumed}) on their
     * latest connection: connected, and every stream between them flowing.
     */
    boolean connected(String a, String b) {
        return resumed(a, b) && resumed(b, a);
    }

    private boolean resumed(String at, String peer) {
        NodeId p = NodeId.of(peer);
        List<TetherEvent> log = events(at);
        for (int i = log.size() - 1; i >= 0; i--) {
            TetherEvent e = log.get(i);
            if (e.equals(new TetherEvent.PeerResumed(p))) return true;
            if (e.equals(new TetherEvent.PeerDisconnected(p)) || e.equals(new TetherEvent.PeerConnected(p))) {
                return false;
            }
        }
        return false;
    }

    static List<String> numbered(String prefix, int from, int toExclusive) {
        List<String> l = new ArrayList<>();
        for (int i = from; i < toExclusive; i++) l.add(prefix + i);
        return Collections.unmodifiableList(l);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Seen seen(Delivery d) {
        return new Seen(d.from(), d.lane(), new String(d.payloadBytes(), StandardCharsets.UTF_8), d.isRedelivery());
    }

    private List<NodeId> others(NodeId id) {
        List<NodeId> l = new ArrayList<>(ids);
        l.remove(id);
        return l;
    }

    @Override
    public void close() {
        nodes.values().forEach(TetherNode::close);
        nodes.clear();
        stores.values().forEach(Store::close);
    }
}
