package dev.tether.scenarios;

import static dev.tether.scenarios.Cluster.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.DeadLetterView;
import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.RetryPolicy;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import dev.tether.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Poison messages, retry policy, dead letters, blocking streams and time to live. */
class FailureHandlingTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20), 2.0);

    private static void poisonHandler(Cluster c, dev.tether.node.TetherConfig.Builder cfg) {
        cfg.retryPolicy(FAST).handler(d -> {
            c.seen("b").add(Cluster.seen(d));
            if (new String(d.payloadBytes(), StandardCharsets.UTF_8).startsWith("poison")) {
                throw new IllegalStateException("cannot digest " + d.seq());
            }
        });
    }

    @Test
    void poisonMessageIsDeadLetteredAfterMaxAttemptsAndTheStreamContinues() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b", cfg -> poisonHandler(c, cfg));
            a.send(B, utf8("ok0"));
            SendReceipt poison = a.send(B, utf8("poison!"));
            SendReceipt after = a.send(B, utf8("ok1"));
            assertThat(after.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(poison.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.DEAD_LETTERED);
            assertThat(c.payloads("b", "a", "default")).containsExactly("ok0", "poison!", "poison!", "poison!", "ok1");
            List<Integer> attempts = c.seen("b").stream()
                    .filter(s -> s.payload().equals("poison!"))
                    .map(Cluster.Seen::attempt)
                    .toList();
            assertThat(attempts).containsExactly(1, 2, 3);
            List<DeadLetterView> dead = b.deadLetters(10);
            assertThat(dead).hasSize(1);
            assertThat(new String(dead.get(0).payload(), StandardCharsets.UTF_8))
                    .isEqualTo("poison!");
            assertThat(dead.get(0).attempts()).isEqualTo(3);
            assertThat(dead.get(0).reason()).contains("cannot digest 2");
            assertThat(b.stats().deadLettered()).isEqualTo(1);
            assertThat(b.stats().handlerErrors()).isEqualTo(3);
            assertThat(c.events("b")).anyMatch(e -> e instanceof TetherEvent.DeadLettered);
        }
    }

    /** Delivery.nack(Duration): retried after that pause, not the policy's 5 ms; each nack counts as an attempt. */
    @Test
    void aNackWithAPauseIsRetriedAfterThatPauseAndCountsAsAnAttempt() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            ManualClock clock = new ManualClock(1_000_000);
            List<Long> attemptTimes = new CopyOnWriteArrayList<>();
            AtomicBoolean negativeRefused = new AtomicBoolean();
            TetherNode a = c.start("a", cfg -> cfg.clock(clock));
            c.start(
                    "b",
                    cfg -> cfg.clock(clock).retryPolicy(FAST).handler(d -> {
                        attemptTimes.add(clock.millis());
                        try {
                            d.nack(Duration.ofMillis(-1));
                        } catch (IllegalArgumentException expected) {
                            negativeRefused.set(true);
                        }
                        d.nack(Duration.ofMinutes(1));
                    }));
            SendReceipt later = a.send(B, utf8("later"));
            Await.until(
                    DEADLINE,
                    () -> {
                        clock.advance(Duration.ofMillis(200)); // time moves only when the test moves it
                        return later.processed().isDone();
                    },
                    () -> "dead-lettered after 3 attempts; attempts at " + attemptTimes);
            assertThat(later.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.DEAD_LETTERED);
            assertThat(negativeRefused).isTrue();
            assertThat(attemptTimes).hasSize(3);
            for (int i = 1; i < attemptTimes.size(); i++) {
                assertThat(attemptTimes.get(i) - attemptTimes.get(i - 1))
                        .as("ms between attempts %d and %d", i, i + 1)
                        .isGreaterThanOrEqualTo(60_000);
            }
        }
    }

    /** The first settlement wins whole: a later one that loses (returns false) leaves the winner's reason as it was. */
    @Test
    void aLosingSettlementKeepsTheWinnersReason() throws Exception {
        AtomicBoolean secondWon = new AtomicBoolean(true);
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start(
                    "b",
                    cfg -> cfg.retryPolicy(new RetryPolicy(1, Duration.ofMillis(5), Duration.ofMillis(5), 1.0))
                            .handler(d -> {
                                d.nack(Duration.ofMillis(1));
                                secondWon.set(d.nack());
                            }));
            SendReceipt r = a.send(B, utf8("x"));
            assertThat(r.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.DEAD_LETTERED);
            assertThat(secondWon.get()).isFalse();
            List<DeadLetterView> dead = b.deadLetters(10);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).reason()).contains("to be retried after PT0.001S");
        }
    }

    @Test
    void aHandlerThrowingAnErrorIsRetriedAndDeadLetteredNotStalled() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start(
                    "b",
                    cfg -> cfg.retryPolicy(FAST).handler(d -> {
                        if (d.seq() == 1) throw new StackOverflowError("deep");
                    }));
            SendReceipt bad = a.send(B, utf8("x"));
            SendReceipt good = a.send(B, utf8("y"));
            assertThat(bad.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.DEAD_LETTERED);
            assertThat(good.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
        }
    }

    @Test
    void aTimeToLiveBeyondTheRepresentableFutureNeverExpiresAndBlocksNothing() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            c.start("b");
            SendReceipt huge = a.send(OutboundMessage.to(B)
                    .payload(utf8("long"))
                    .ttl(Duration.ofMillis(Long.MAX_VALUE))
                    .build());
            SendReceipt absurd = a.send(OutboundMessage.to(B)
                    .payload(utf8("longer"))
                    .ttl(Duration.ofSeconds(Long.MAX_VALUE))
                    .build());
            SendReceipt after = a.send(B, utf8("after"));
            assertThat(huge.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(absurd.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(after.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(c.payloads("b", "a", "default")).containsExactly("long", "longer", "after");
            assertThat(a.stats().protocolErrors() + c.node("b").stats().protocolErrors())
                    .isZero();
        }
    }

    @Test
    void blockPolicyHaltsOnlyThatStreamAndReportsIt() {
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a");
            TetherNode b = c.start("b", cfg -> {
                poisonHandler(c, cfg);
                cfg.failurePolicy(FailurePolicy.BLOCK);
            });
            a.send(B, "strict", utf8("poison-head"));
            a.send(B, "strict", utf8("behind"));
            a.send(B, "other", utf8("free"));
            Await.until(
                    DEADLINE,
                    () -> {
                        StreamStats s = b.stats().stream(A, "strict", StreamStats.Direction.INBOUND);
                        return s != null && s.blocked();
                    },
                    () -> "strict stream blocked");
            Await.until(DEADLINE, () -> c.payloads("b", "a", "other").contains("free"), () -> "other lane flows");
            assertThat(c.payloads("b", "a", "strict")).doesNotContain("behind");
            assertThat(c.events("b")).anyMatch(e -> e instanceof TetherEvent.StreamBlocked sb && sb.seq() == 1);
            assertThat(a.stats().stream(B, "strict", StreamStats.Direction.OUTBOUND)
                            .cursor())
                    .isZero();
        }
    }

    @Test
    void expiredMessagesAreSkippedAndReportedOnBothSides() throws Exception {
        try (Cluster c = new Cluster("a", "b")) {
            ManualClock clock = new ManualClock(1_000_000);
            TetherNode a = c.start("a", cfg -> cfg.clock(clock));
            SendReceipt doomed = a.send(OutboundMessage.to(B)
                    .payload(utf8("stale"))
                    .ttl(Duration.ofSeconds(1))
                    .build());
            SendReceipt fresh = a.send(OutboundMessage.to(B)
                    .payload(utf8("fresh"))
                    .ttl(Duration.ofHours(1))
                    .build());
            doomed.accepted().get(10, TimeUnit.SECONDS);
            clock.advance(Duration.ofSeconds(2)); // the peer is offline until the first message is past its TTL
            TetherNode b = c.start("b", cfg -> cfg.clock(clock));
            // Time moves only when the test says so; keep it moving so retransmission timers can fire.
            Await.until(
                    DEADLINE,
                    () -> {
                        clock.advance(Duration.ofMillis(5));
                        return fresh.processed().isDone() && doomed.processed().isDone();
                    },
                    () -> "both outcomes reported to the sender; a=" + a.stats() + " b=" + b.stats());
            assertThat(doomed.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.EXPIRED);
            assertThat(fresh.processed().get(10, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            assertThat(c.payloads("b", "a", "default")).containsExactly("fresh");
            assertThat(b.stats().expired()).isEqualTo(1);
            assertThat(c.events("b")).anyMatch(e -> e instanceof TetherEvent.Expired x && x.seq() == 1);
        }
    }
}
