package dev.tether.codec.jackson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.CodecException;
import dev.tether.Durability;
import dev.tether.HandlerOptions;
import dev.tether.Lanes;
import dev.tether.MessageTooLargeException;
import dev.tether.NodeId;
import dev.tether.RemoteHandlerException;
import dev.tether.TetherNode;
import dev.tether.TypeRef;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Transport;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Typed calls between two real nodes with the Jackson codec found by {@code ServiceLoader}, over the in-memory
 * transport and over TCP on loopback: records, generics, null, and a decoding failure on each side.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TypedCallsTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    public record Order(String id, int quantity, List<String> items) {}

    public record Receipt(String orderId, long total, Map<String, Integer> lines) {}

    /** A reply type whose shape does not match a Receipt's JSON. */
    public record Mismatch(List<Integer> orderId) {}

    enum Net {
        IN_MEMORY,
        TCP
    }

    private final List<TetherNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(TetherNode::close);
    }

    /** Starts a (caller) and b (callee) connected over {@code net}; returns them in that order. */
    private List<TetherNode> pair(Net net) {
        if (net == Net.IN_MEMORY) {
            InMemoryNetwork network = new InMemoryNetwork();
            TetherNode b = start(B, A, network.newTransport());
            return List.of(start(A, B, network.newTransport()), b);
        }
        TcpTransport tb = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .build();
        TetherNode b = start(B, A, tb); // b listens from here on: its address is known
        TcpTransport ta = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .peer(B, tb.boundAddress())
                .build();
        return List.of(start(A, B, ta), b);
    }

    private TetherNode start(NodeId self, NodeId peer, Transport t) {
        return start(self, peer, t, b -> b);
    }

    private TetherNode start(NodeId self, NodeId peer, Transport t, UnaryOperator<TetherConfig.Builder> more) {
        TetherNode n = Tether.start(more.apply(TetherConfig.builder(self)
                        .peers(peer)
                        .transport(t)
                        .store(new InMemoryStore())
                        .durability(Durability.MEMORY)
                        .maxMessageBytes(64 * 1024))
                .build());
        nodes.add(n);
        return n;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the call to fail, it succeeded");
    }

    private static Receipt receipt(Order o) {
        Map<String, Integer> lines = new java.util.TreeMap<>();
        for (String item : o.items()) lines.merge(item, o.quantity(), Integer::sum);
        return new Receipt(o.id(), (long) o.quantity() * o.items().size(), lines);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void recordsGoAndComeBackTyped(Net net) throws Exception {
        List<TetherNode> n = pair(net);
        n.get(1).handle("orders.create", Order.class, (order, call) -> receipt(order));

        Order order = new Order("o-1", 3, List.of("apple", "pear", "apple"));
        Receipt r = get(n.get(0).call(B, "orders.create").request(order, Receipt.class));

        assertThat(r).isEqualTo(new Receipt("o-1", 9, Map.of("apple", 6, "pear", 3)));
    }

    @Test
    void typedHandlersGivenInTheConfigurationTakeCallsMadeBeforeTheirNodeStarted() throws Exception {
        InMemoryNetwork network = new InMemoryNetwork();
        TetherNode a = start(A, B, network.newTransport());
        Order order = new Order("o-1", 3, List.of("apple", "pear", "apple"));
        CompletableFuture<Receipt> sync = a.call(B, "orders.create").request(order, Receipt.class);
        CompletableFuture<List<Receipt>> async =
                a.call(B, "orders.batch").request(List.of(order, order), new TypeRef<List<Receipt>>() {});
        assertThat(sync).isNotDone();

        TetherNode b = start(
                B,
                A,
                network.newTransport(),
                c -> c.handle("orders.create", Order.class, (o, call) -> receipt(o))
                        .handleAsync(
                                "orders.batch",
                                new TypeRef<List<Order>>() {},
                                HandlerOptions.defaults().concurrent(4),
                                (orders, call) -> CompletableFuture.completedFuture(orders.stream()
                                        .map(TypedCallsTest::receipt)
                                        .toList())));

        Receipt expected = new Receipt("o-1", 9, Map.of("apple", 6, "pear", 3));
        assertThat(get(sync)).isEqualTo(expected);
        assertThat(get(async)).containsExactly(expected, expected);
        // Registered before the node took its first delivery: no call met it without its handler.
        assertThat(b.stats().calls().noSuchHandler()).isZero();
        assertThat(b.stats().calls().waitingForHandler()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void anAsynchronousTypedHandlerRepliesWhenItsStageCompletes(Net net) throws Exception {
        List<TetherNode> n = pair(net);
        CompletableFuture<Void> release = new CompletableFuture<>();
        n.get(1).handleAsync("orders.create", Order.class, (order, call) -> release.thenApply(x -> receipt(order)));

        Order order = new Order("o-1", 3, List.of("apple", "pear", "apple"));
        CompletableFuture<Receipt> r = n.get(0).call(B, "orders.create").request(order, Receipt.class);
        assertThat(r).isNotDone();
        release.complete(null);

        assertThat(get(r)).isEqualTo(new Receipt("o-1", 9, Map.of("apple", 6, "pear", 3)));
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void anAsynchronousTypedHandlerFailingOrGivingAnUnencodableReplyIsARemoteError(Net net) throws Exception {
        List<TetherNode> n = pair(net);
        n.get(1)
                .handleAsync(
                        "fails",
                        Order.class,
                        (order, call) -> CompletableFuture.failedFuture(
                                new IllegalStateException("no stock for " + order.id())));
        n.get(1)
                .handleAsync(
                        "unencodable",
                        Order.class,
                        (order, call) -> CompletableFuture.completedFuture(
                                new Object())); // Jackson cannot serialise a bare Object

        Order order = new Order("o-2", 1, List.of("fig"));
        Throwable failed = failure(n.get(0).call(B, "fails").request(order, Receipt.class));
        assertThat(failed).isInstanceOf(RemoteHandlerException.class);
        assertThat(((RemoteHandlerException) failed).remoteType()).isEqualTo(IllegalStateException.class.getName());
        assertThat(((RemoteHandlerException) failed).remoteMessage()).isEqualTo("no stock for o-2");

        Throwable bad = failure(n.get(0).call(B, "unencodable").request(order, Receipt.class));
        assertThat(((RemoteHandlerException) bad).remoteType()).isEqualTo(CodecException.class.getName());
        assertThat(((RemoteHandlerException) bad).remoteMessage()).contains("the reply of handler 'unencodable'");

        Throwable undecodable = failure(n.get(0).call(B, "fails").request(List.of(1, 2), Receipt.class));
        assertThat(((RemoteHandlerException) undecodable).remoteType()).isEqualTo(CodecException.class.getName());
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void typedTellAndSyncEncodeTheirValue(Net net) throws Exception {
        List<TetherNode> n = pair(net);
        List<Order> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        n.get(1).handle("orders.record", Order.class, (order, call) -> {
            seen.add(order);
            return null;
        });
        Order first = new Order("o-3", 2, List.of("kiwi"));
        Order second = new Order("o-4", 5, List.of("lime", "lime"));

        assertThat(get(n.get(0).call(B, "orders.record").tellValue(first).processed()))
                .isEqualTo(dev.tether.Outcome.PROCESSED);
        get(n.get(0).call(B, "orders.record").syncValue(second));
        get(n.get(0).call(B, "orders.record").syncValue(null)); // null goes as null

        assertThat(seen).containsExactly(first, second, null);
        assertThatThrownBy(() -> n.get(0).call(B, "orders.record").tellValue(new Object()))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("the request to handler 'orders.record'");
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aVolatileTypedCallGoesAndComesBackTypedOnTheVolatileLane(Net net) throws Exception {
        List<TetherNode> n = pair(net);
        n.get(1).handle("orders.create", Order.class, (order, call) -> {
            assertThat(call.lane()).isEqualTo(Lanes.volatileLane("orders.create"));
            return receipt(order);
        });

        Order order = new Order("o-1", 3, List.of("apple", "pear", "apple"));
        Receipt r = get(n.get(0).call(B, "orders.create").volatileDelivery().request(order, Receipt.class));

        assertThat(r).isEqualTo(new Receipt("o-1", 9, Map.of("apple", 6, "pear", 3)));
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void genericRequestsAndRepliesKeepTheirElementTypes(Net net) throws Exception {
        List<TetherNode> n = pair(net);
        n.get(1).handle("orders.batch", new TypeRef<List<Order>>() {}, HandlerOptions.defaults(), (orders, call) -> {
            // The elements really are Orders: a list of maps would fail on o.id().
            return orders.stream().map(TypedCallsTest::receipt).toList();
        });

        List<Order> orders = List.of(new Order("o-1", 1, List.of("a")), new Order("o-2", 2, List.of("b", "c")));
        List<Receipt> receipts = get(n.get(0).call(B, "orders.batch").request(orders, new TypeRef<List<Receipt>>() {}));

        assertThat(receipts).containsExactly(receipt(orders.get(0)), receipt(orders.get(1)));
        assertThat(receipts.get(1)).isInstanceOf(Receipt.class);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void nullGoesBothWays(Net net) throws Exception {
        List<TetherNode> n = pair(net);
        AtomicInteger sawNull = new AtomicInteger();
        n.get(1).handle("maybe", Order.class, (order, call) -> {
            if (order == null) sawNull.incrementAndGet();
            return order == null ? null : receipt(order);
        });

        assertThat(get(n.get(0).call(B, "maybe").request(null, Receipt.class))).isNull();
        assertThat(sawNull.get()).isEqualTo(1);
        // A typed sync: the reply is ignored and decodes as null.
        assertThat(get(n.get(0).call(B, "maybe").request(new Order("o", 1, List.of()), Void.class)))
                .isNull();
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aRequestTheCalleeCannotDecodeFailsTheCallerWithTheCodecErrorAndTheHandlerNeverRuns(Net net) throws Exception {
        List<TetherNode> n = pair(net);
        AtomicInteger ran = new AtomicInteger();
        n.get(1).handle("orders.create", Order.class, (order, call) -> {
            ran.incrementAndGet();
            return receipt(order);
        });

        // Bytes that are no JSON, sent untyped, and JSON of another shape, sent typed.
        Throwable garbage =
                failure(n.get(0).call(B, "orders.create").request("{not json".getBytes(StandardCharsets.UTF_8)));
        Throwable shape = failure(n.get(0).call(B, "orders.create").request(List.of(1, 2), Receipt.class));

        for (Throwable t : List.of(garbage, shape)) {
            assertThat(t).isInstanceOfSatisfying(RemoteHandlerException.class, e -> {
                assertThat(e.remoteType()).isEqualTo(CodecException.class.getName());
                assertThat(e.remoteMessage())
                        .contains("the request to handler 'orders.create' from a could not be decoded as")
                        .contains(Order.class.getName());
            });
        }
        assertThat(ran.get()).isZero();
        // The node keeps serving: a good call after the bad ones works.
        Order ok = new Order("o-2", 1, List.of("x"));
        assertThat(get(n.get(0).call(B, "orders.create").request(ok, Receipt.class)))
                .isEqualTo(receipt(ok));
        assertThat(ran.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aReplyTheCallerCannotDecodeFailsItsFutureWithACodecException(Net net) throws Exception {
        List<TetherNode> n = pair(net);
        AtomicInteger ran = new AtomicInteger();
        n.get(1).handle("orders.create", Order.class, (order, call) -> {
            ran.incrementAndGet();
            return receipt(order);
        });

        Throwable t =
                failure(n.get(0).call(B, "orders.create").request(new Order("o-1", 1, List.of("a")), Mismatch.class));

        assertThat(t)
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("the reply of handler 'orders.create' on b could not be decoded as")
                .hasMessageContaining(Mismatch.class.getName());
        assertThat(ran.get()).isEqualTo(1); // executed once: the failure is the caller's alone
        assertThat(n.get(0).stats().calls().pendingCalls()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void oversizedAndTooDeeplyNestedValuesGetSpecificErrorsAndTheNodesKeepServing(Net net) throws Exception {
        List<TetherNode> n = pair(net);
        n.get(1).handle("echo", String.class, (s, call) -> s);
        n.get(1).handle("big", Integer.class, (size, call) -> "x".repeat(size));
        n.get(1).handle("any", Object.class, (value, call) -> "decoded");

        // A request larger than maxMessageBytes is refused before anything is sent.
        assertThatThrownBy(() -> n.get(0).call(B, "echo").request("y".repeat(100_000), String.class))
                .isInstanceOf(MessageTooLargeException.class);
        // A reply larger than maxMessageBytes is an error reply naming the problem.
        Throwable big = failure(n.get(0).call(B, "big").request(100_000, String.class));
        assertThat(big)
                .isInstanceOfSatisfying(
                        RemoteHandlerException.class,
                        e -> assertThat(e.remoteType()).isEqualTo(MessageTooLargeException.class.getName()));
        // JSON nested beyond Jackson's depth limit is refused by the callee's codec.
        String deep = "[".repeat(2_000) + "]".repeat(2_000);
        Throwable nested = failure(n.get(0).call(B, "any").request(deep.getBytes(StandardCharsets.UTF_8)));
        assertThat(nested).isInstanceOfSatisfying(RemoteHandlerException.class, e -> {
            assertThat(e.remoteType()).isEqualTo(CodecException.class.getName());
            assertThat(e.remoteMessage()).containsIgnoringCase("depth");
        });

        assertThat(get(n.get(0).call(B, "echo").request("still here", String.class)))
                .isEqualTo("still here");
    }

    @ParameterizedTest
    @EnumSource(Net.class)
    void aRequestThatCannotBeEncodedThrowsAtOnceAndSendsNothing(Net net) {
        List<TetherNode> n = pair(net);
        Object unencodable = new Object() {
            @SuppressWarnings("unused")
            public String getValue() {
                throw new IllegalStateException("no value");
            }
        };

        assertThatThrownBy(() -> n.get(0).call(B, "echo").request(unencodable, String.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("the request to handler 'echo' could not be encoded");
        assertThat(n.get(0).stats().calls().callsSent()).isZero();
    }
}
