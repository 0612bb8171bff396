package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.VolatileLostException;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.process.ChildJvm;
import dev.tether.transport.tcp.TcpTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Volatile calls across a SIGKILL of the called process: a caller streams volatile requests (40 outstanding) over
 * TCP to {@link VolatileCallee} in a child JVM, which is killed mid-stream and started again on the same store and
 * port. Every call either gets its echo or fails with {@link VolatileLostException}; the calls in flight at the
 * kill fail that way; no call is ever executed twice (the callee forces a record of each execution to disk before
 * answering); the calls after the restart run on the new process.
 */
class VolatileCallKillTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int CALLS = 600;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aKilledCalleeNeverRunsAVolatileCallTwiceAndItsCallersInFlightCallsFailAsLost() throws Exception {
        int bPort = Ports.free();
        TcpTransport transport = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .peer(B, new InetSocketAddress("127.0.0.1", bPort))
                .build();
        Map<Integer, String> outcomes = new ConcurrentHashMap<>();
        try (TetherNode a = Tether.start(TetherConfig.builder(A)
                .peers(B)
                .transport(transport)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build())) {
            int aPort = transport.boundAddress().getPort();
            ChildJvm first = callee(bPort, aPort, 1);
            Thread caller = new Thread(() -> callAll(a, outcomes), "volatile-caller");
            caller.start();
            Await.until(WAIT, () -> executions().size() >= 150, () -> "150 executions before the kill");
            assertThat(first.kill()).isEqualTo(ChildJvm.SIGKILL_EXIT);
            int beforeRestart = executions().size();
            try (ChildJvm second = callee(bPort, aPort, 2)) {
                caller.join(TimeUnit.MINUTES.toMillis(2));
                assertThat(caller.isAlive()).as("the caller finished").isFalse();
                Await.until(WAIT, () -> outcomes.size() == CALLS, () -> "every call answered: " + outcomes.size());
                check(outcomes, beforeRestart);
                assertThat(second.isAlive())
                        .as("the restarted callee still runs")
                        .isTrue();
            } finally {
                first.close();
            }
        }
    }

    private void check(Map<Integer, String> outcomes, int beforeRestart) {
        List<String> executed = executions();
        Set<String> distinct = new HashSet<>(executed);
        assertThat(distinct).as("executions, never twice").hasSize(executed.size());
        long lost = outcomes.values().stream().filter("lost"::equals).count();
        System.out.printf(
                "volatile kill test: %d calls, %d executed (%d before the restart), %d lost%n",
                CALLS, executed.size(), beforeRestart, lost);
        assertThat(outcomes.values()).allMatch(o -> o.equals("ok") || o.equals("lost"));
        assertThat(lost).as("calls in flight at the kill").isPositive();
        outcomes.forEach((i, o) -> {
            if (o.equals("ok")) assertThat(distinct).contains("c" + i); // answered: executed, exactly once
        });
        assertThat(executed.size()).as("calls ran on the restarted callee").isGreaterThan(beforeRestart);
        assertThat(executed.subList(beforeRestart, executed.size()))
                .as("the restarted callee ran no call the killed one had run")
                .doesNotContainAnyElementsOf(executed.subList(0, beforeRestart));
    }

    /** The calls, 40 outstanding at a time; each outcome is "ok", "lost" or the unexpected failure. */
    private static void callAll(TetherNode a, Map<Integer, String> outcomes) {
        Semaphore window = new Semaphore(40);
        for (int i = 0; i < CALLS; i++) {
            window.acquireUninterruptibly();
            int index = i;
            byte[] payload = ("c" + i).getBytes(StandardCharsets.UTF_8);
            a.call(B, "work")
                    .volatileDelivery()
                    .timeout(Duration.ofSeconds(90))
                    .request(payload)
                    .whenComplete((r, e) -> {
                        Throwable cause = e != null && e.getCause() != null ? e.getCause() : e;
                        String o = e == null
                                ? (new String(r.payloadBytes(), StandardCharsets.UTF_8).equals("c" + index)
                                        ? "ok"
                                        : "wrong reply")
                                : cause instanceof VolatileLostException ? "lost" : cause.toString();
                        outcomes.put(index, o);
                        window.release();
                    });
        }
    }

    private ChildJvm callee(int bPort, int aPort, int run) {
        ChildJvm c = ChildJvm.builder(VolatileCallee.class)
                .name("volatile-callee-" + run)
                .heap("128m")
                .logDir(dir)
                .args(dir.toString(), Integer.toString(bPort), Integer.toString(aPort))
                .start();
        c.awaitLine(l -> l.startsWith("ready"), WAIT);
        return c;
    }

    private List<String> executions() {
        Path f = dir.resolve("executions.txt");
        try {
            if (!Files.exists(f)) return List.of();
            // A line being written when the process died may lack its newline; it still counts once.
            return Files.readAllLines(f, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
