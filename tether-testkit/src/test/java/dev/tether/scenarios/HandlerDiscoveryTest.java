package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.HandlerNotAdvertisedException;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.Registration;
import dev.tether.TetherNode;
import dev.tether.UnknownPeerException;
import dev.tether.internal.node.RealTetherNode;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Handler discovery between real nodes (in-memory transport and stores): advertisement on connect and on change,
 * {@code peers().handlers()}, {@code awaitHandler} before and after registration and removal and at its timeout,
 * {@code listHandlers}, and bogus advertisements counted and ignored.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandlerDiscoveryTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    static List<String> handlersOf(TetherNode n, NodeId peer) {
        return n.peers().stream()
                .filter(p -> p.id().equals(peer))
                .map(PeerInfo::handlers)
                .findFirst()
                .orElse(List.of());
    }

    static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure, got success");
    }

    @Test
    void awaitHandlerCompletesWhenThePeerRegistersItAndAtOnceOnceItHas() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            CompletableFuture<Void> before = a.awaitHandler(B, "orders.create", DEADLINE);
            Await.until(
                    DEADLINE,
                    () -> handlersOf(a, B).isEmpty() && a.peers().get(0).connected(),
                    () -> "a sees b");
            assertThat(before).isNotDone();
            b.handle("orders.create", call -> call.payloadBytes());
            before.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(handlersOf(a, B)).containsExactly("orders.create");
            a.awaitHandler(B, "orders.create", Duration.ofMillis(1)).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(a.call(B, "orders.create").request(utf8("x")).get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                    .isNotNull();
        }
    }

    @Test
    void aRemovedHandlerIsNoLongerAdvertisedAndAwaitingItTimesOutUntilItIsBack() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            Registration r = b.handle("x", call -> null);
            b.handle("y", call -> null);
            a.awaitHandler(B, "x", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> handlersOf(a, B).equals(List.of("x", "y")), () -> "x and y: " + a.peers());
            r.close();
            Await.until(DEADLINE, () -> handlersOf(a, B).equals(List.of("y")), () -> "only y: " + a.peers());
            long start = System.nanoTime();
            Throwable t = failure(a.awaitHandler(B, "x", Duration.ofMillis(200)));
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
            assertThat(t)
                    .isInstanceOf(HandlerNotAdvertisedException.class)
                    .hasMessageContaining("node b did not advertise handler 'x' within PT0.2S")
                    .hasMessageContaining("[y]");
            assertThat(((HandlerNotAdvertisedException) t).peer()).isEqualTo(B);
            CompletableFuture<Void> again = a.awaitHandler(B, "x", DEADLINE);
            b.handle("x", call -> null);
            again.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void awaitingAPeerThatNeverConnectsTimesOutAndArgumentsAreChecked() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            Throwable t = failure(a.awaitHandler(B, "x", Duration.ofMillis(100)));
            assertThat(t).isInstanceOf(HandlerNotAdvertisedException.class).hasMessageContaining("advertised nothing");
            assertThatThrownBy(() -> a.awaitHandler(A, "x", DEADLINE)).isInstanceOf(UnknownPeerException.class);
            assertThatThrownBy(() -> a.awaitHandler(B, "_hello", DEADLINE))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.awaitHandler(B, "x", Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
            CompletableFuture<Void> pending = a.awaitHandler(B, "x", Duration.ofHours(1));
            a.shutdown(Duration.ZERO);
            assertThat(failure(pending)).isInstanceOf(NodeClosedException.class);
            assertThatThrownBy(() -> a.awaitHandler(B, "x", DEADLINE)).isInstanceOf(NodeClosedException.class);
        }
    }

    @Test
    void aNodeThatJoinsLaterLearnsEveryonesHandlersAndTheyLearnItsOwn() throws Exception {
        try (Cluster c = new Cluster("a", "b", "c")) {
            TetherNode a = c.start("a", cfg -> cfg.handle("a.work", call -> null));
            TetherNode b = c.start("b", cfg -> cfg.handle("b.work", call -> null));
            a.awaitHandler(B, "b.work", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            TetherNode cc =
                    c.start("c", cfg -> cfg.handle("c.work", call -> null).handle("c.more", call -> null));
            cc.awaitHandler(A, "a.work", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            cc.awaitHandler(B, "b.work", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            a.awaitHandler(C, "c.more", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            b.awaitHandler(C, "c.work", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(handlersOf(b, C)).containsExactly("c.more", "c.work");
            assertThat(a.listHandlers(C, DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                    .containsExactly("c.more", "c.work");
        }
    }

    @Test
    void aRestartedPeerWithOtherHandlersReplacesItsOldList() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start("b", cfg -> cfg.handle("old", call -> null));
            a.awaitHandler(B, "old", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            c.crash("b");
            c.start("b", cfg -> cfg.handle("new", call -> null));
            a.awaitHandler(B, "new", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            Await.until(DEADLINE, () -> handlersOf(a, B).equals(List.of("new")), () -> "only new: " + a.peers());
            c.crash("b");
            TetherNode none = c.start("b"); // no handlers at all: it advertises nothing, and a forgets the old list
            Await.until(DEADLINE, () -> resumed(c, "a", 3), () -> "b back a third time: " + c.events("a"));
            assertThat(handlersOf(a, B)).isEmpty();
            assertThat(failure(a.awaitHandler(B, "new", Duration.ofMillis(100))))
                    .isInstanceOf(HandlerNotAdvertisedException.class);
            assertThat(none.stats().streams()).noneMatch(s -> s.lane().endsWith("_sys") && s.sent() > 0);
        }
    }

    private static boolean resumed(Cluster c, String node, int times) {
        return c.events(node).stream()
                        .filter(e -> e instanceof dev.tether.TetherEvent.PeerResumed)
                        .count()
                >= times;
    }

    @Test
    void nodesWithoutHandlersSendNoSystemTraffic() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            Await.until(DEADLINE, () -> resumed(c, "a", 1) && resumed(c, "b", 1), () -> "connected");
            a.send(B, utf8("plain")).processed().join();
            assertThat(a.stats().streams()).extracting(s -> s.lane()).containsExactly("default");
            assertThat(b.stats().streams()).extracting(s -> s.lane()).containsExactly("default");
            assertThat(handlersOf(a, B)).isEmpty();
        }
    }

    @Test
    void manyChangesInABurstConvergeOnTheFinalList() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            List<String> names = new ArrayList<>();
            List<Registration> regs = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                names.add(String.format("h%03d", i));
                regs.add(b.handle(names.get(i), call -> null));
            }
            for (int i = 0; i < 300; i += 2) regs.get(i).close();
            List<String> expected = new ArrayList<>();
            for (int i = 1; i < 300; i += 2) expected.add(names.get(i));
            Await.until(DEADLINE, () -> handlersOf(a, B).equals(expected), () -> "final list at a: " + a.peers());
            assertThat(a.listHandlers(B, DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(expected);
        }
    }

    @Test
    void listHandlersOfAnUnknownPeerThrows() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            assertThatThrownBy(() -> a.listHandlers(NodeId.of("zz"), DEADLINE))
                    .isInstanceOf(UnknownPeerException.class);
        }
    }

    /**
     * Sends {@code payload} from {@code from} to {@code to}'s {@code _hello} on the durable lane {@code _sys}, as a
     * node of an earlier version, a broken or a hostile one would.
     */
    private static void hello(TetherNode from, NodeId to, String payload) {
        hello(from, to, "_sys", payload);
    }

    private static void hello(TetherNode from, NodeId to, String lane, String payload) {
        ((RealTetherNode) from)
                .runtime()
                .submit(to, lane, Map.of(":h", "_hello", ":k", "t"), payload.getBytes(StandardCharsets.UTF_8), 0, null)
                .processed()
                .join();
    }

    @Test
    void bogusAdvertisementsAreCountedAndIgnoredAndTheNodeKeepsServing() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b");
            b.handle("good", call -> utf8("ok"));
            a.awaitHandler(B, "good", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            String head = "tether-hello 1\nid b\nepoch "
                    + Long.toHexString(((RealTetherNode) b).runtime().epoch()) + "\nseq 99999999999999999\n";
            StringBuilder tooMany = new StringBuilder(head + "handlers");
            for (int i = 0; i < 1025; i++) tooMany.append(" h").append(i);
            Map<String, String> bogus = new java.util.LinkedHashMap<>();
            bogus.put(head + "handlers bad/name\n", "handler name: invalid handler name 'bad/name'");
            bogus.put(head + "handlers _hello\n", "handler name: handler name '_hello' starts with '_'");
            bogus.put(head + "handlers x x\n", "handler 'x' listed twice");
            bogus.put(tooMany + "\n", "1025 handlers, at most 1024");
            bogus.put(head.replace("id b", "id c") + "handlers evil\n", "it names node c");
            bogus.put(head.replace("seq 99999999999999999\n", "") + "handlers noseq\n", "no seq");
            bogus.put("not a hello at all", "does not start with 'tether-hello 1'");
            bogus.put(head.replaceAll("epoch [0-9a-f]+", "epoch 0") + "handlers wrong.epoch\n", "its epoch 0 is not");
            for (String p : bogus.keySet()) hello(b, A, p);
            Await.until(
                    DEADLINE,
                    () -> a.stats().calls().invalidCalls() == bogus.size(),
                    () -> "every bogus advertisement counted: " + a.stats().calls());
            List<String> reasons = c.events("a").stream()
                    .filter(e -> e instanceof dev.tether.TetherEvent.ProtocolError)
                    .map(e -> ((dev.tether.TetherEvent.ProtocolError) e).reason())
                    .toList();
            assertThat(reasons).hasSize(bogus.size());
            List<String> expected = new ArrayList<>(bogus.values());
            for (int i = 0; i < expected.size(); i++) {
                assertThat(reasons.get(i))
                        .startsWith("invalid handler advertisement from b: ")
                        .contains(expected.get(i))
                        .endsWith("; ignored");
            }
            assertThat(a.stats().protocolErrors()).isEqualTo(bogus.size());
            assertThat(handlersOf(a, B)).containsExactly("good");
            assertThat(new String(
                            a.call(B, "good")
                                    .request(new byte[0])
                                    .get(DEADLINE.toSeconds(), TimeUnit.SECONDS)
                                    .payloadBytes(),
                            StandardCharsets.UTF_8))
                    .isEqualTo("ok");
            b.handle("later", call -> null);
            a.awaitHandler(B, "later", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void advertisementsTravelOnTheVolatileSystemLaneWhereTheEpochIsCheckedAgainstThePeersHello() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b", cfg -> cfg.handle("h", call -> null));
            a.awaitHandler(B, "h", DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(a.listHandlers(B, DEADLINE).get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                    .containsExactly("h");
            assertThat(b.stats().streams())
                    .extracting(s -> s.lane())
                    .contains("_v._sys")
                    .doesNotContain("_sys");
            assertThat(a.stats().streams()).extracting(s -> s.lane()).contains("_v._sys", "_v._reply");
            String head = "tether-hello 1\nid b\nepoch %s\nseq 99999999999999999\nhandlers %s\n";
            hello(b, A, "_v._sys", head.formatted("0", "wrong.epoch"));
            Await.until(
                    DEADLINE,
                    () -> a.stats().calls().invalidCalls() == 1,
                    () -> "counted: " + a.stats().calls());
            assertThat(handlersOf(a, B)).containsExactly("h");
            String epoch = Long.toHexString(((RealTetherNode) b).runtime().epoch());
            hello(b, A, "_v._sys", head.formatted(epoch, "h pushed"));
            Await.until(DEADLINE, () -> handlersOf(a, B).equals(List.of("h", "pushed")), () -> "" + a.peers());
            assertThat(a.stats().calls().invalidCalls()).isEqualTo(1);
        }
    }
}
