package dev.tether.scenarios;

import static dev.tether.bus.TextPattern.exact;
import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.HandlerOptions;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.RetryPolicy;
import dev.tether.SendReceipt;
import dev.tether.StreamLimits;
import dev.tether.TetherNode;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Match;
import dev.tether.bus.Rule;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A concurrent handler's window and a routing rule's copies (docs/MESSAGING.md "Concurrent handlers", "Routing
 * rules"): the window routes its next message ahead of time, which reserves the copy's room in its target stream. If
 * an earlier message then fails, the window ends without handing out the routed one; its reserved room must be given
 * back, or the target stream stays full of nothing for good (a copy of the same message routed again finds it full).
 * Likewise the room of a failed attempt's copies, which are not stored, is released by the end of the node's turn,
 * even if nothing else is stored then.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentRoutedRoomTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final NodeId B = NodeId.of("b");
    /** The copies' target: a peer of b that never starts, so its stream holds every copy (limit 1). */
    private static final NodeId TAP = NodeId.of("t");

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aRouteTheWindowDidNotHandOutGivesItsReservedRoomBack() throws Exception {
        AtomicInteger t0Attempts = new AtomicInteger();
        try (Cluster c = new Cluster("a", "b", "t")) {
            TetherNode a = c.start("a");
            Tether.bus(c.start("b"))
                    .rules()
                    .add(Rule.named("tap")
                            .match(Match.any().header("x", exact("1")))
                            .action(Action.copy(Address.of(TAP, "tap"))));
            c.kill("b"); // the rule is stored; the tells wait for b, which then gets them in one run
            List<SendReceipt> told = new ArrayList<>();
            told.add(a.call(B, "work").tell(utf8("t0")));
            told.add(a.call(B, "work").tell(utf8("t1")));
            told.add(a.call(B, "work").header("x", "1").tell(utf8("t2")));
            c.start(
                    "b",
                    cfg -> cfg.retryPolicy(new RetryPolicy(5, Duration.ofMillis(20), Duration.ofMillis(20), 1.0))
                            .endpointLimits("t/tap", StreamLimits.maxMessages(1))
                            .handle("work", HandlerOptions.defaults().on(pool).concurrent(2), call -> {
                                String p = new String(call.payloadBytes(), StandardCharsets.UTF_8);
                                if (p.equals("t0") && t0Attempts.getAndIncrement() == 0) {
                                    // t1 completed ahead (its marker is stored): its settlement routed t2 (the
                                    // window's lock orders it before this failure's), reserving t2's copy's room
                                    Await.until(DEADLINE, () -> markers(c) > 0, () -> "t1 completed ahead");
                                    throw new IllegalStateException("first attempt of t0 fails");
                                }
                                return null;
                            }));
            for (SendReceipt r : told) {
                assertThat(r.processed().get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                        .isEqualTo(Outcome.PROCESSED);
            }
            assertThat(t0Attempts.get()).isEqualTo(2);
        }
    }

    /**
     * A handled message with a copy fails its first attempt: its copy is not stored, and its room in the target stream
     * (limit 1) is released although that attempt wrote nothing (once, it waited for some other store batch, and the
     * retry's route found the target full: on a quiet node it waited for good).
     */
    @Test
    void aFailedAttemptReleasesItsCopysRoomOnAQuietNode() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (Cluster c = new Cluster("a", "b", "t")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.retryPolicy(new RetryPolicy(5, Duration.ofMillis(50), Duration.ofMillis(50), 1.0))
                            .endpointLimits("t/tap", StreamLimits.maxMessages(1))
                            .handle("work", call -> {
                                if (attempts.getAndIncrement() == 0) throw new IllegalStateException("first fails");
                                return null;
                            }));
            Tether.bus(c.node("b"))
                    .rules()
                    .add(Rule.named("tap")
                            .match(Match.any().header("x", exact("1")))
                            .action(Action.copy(Address.of(TAP, "tap"))));
            SendReceipt m = a.call(B, "work").header("x", "1").tell(utf8("m"));
            assertThat(m.processed().get(5, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(attempts.get()).isEqualTo(2);
        }
    }

    private static int markers(Cluster c) {
        return c.store("b").readKeys("_ahead", null, Long.MAX_VALUE / 2, 10).size();
    }
}
