package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.Priority;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Priority between two real nodes (docs/MESSAGING.md, "Priority"), in memory: under a saturating level-0 flood,
 * level-7 messages (by their lane's configured level) overtake the flood's backlog, in order; the level travels in
 * {@code :p}. Positions in the receiver's handler order, not times.
 */
class PriorityNodeTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final NodeId B = NodeId.of("b");
    private static final int LANES = 20;
    private static final int PER_LANE = 1000;
    private static final int WINDOW = 64;
    private static final int ALERTS = 10;
    private static final int FLOOD_BEFORE = 2_000;

    @Test
    void levelSevenMessagesOvertakeASaturatingLevelZeroFlood() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        Map<String, String> levels = new ConcurrentHashMap<>();
        CountDownLatch alertsStored = new CountDownLatch(1);
        try (Cluster c = new Cluster("a", "b")) {
            c.start(
                    "b",
                    cfg -> cfg.window(WINDOW).handler(d -> {
                        String p = new String(d.payloadBytes(), StandardCharsets.UTF_8);
                        if (p.startsWith("f") && order.size() >= FLOOD_BEFORE) {
                            // holds the flood until a stores the alerts: a fast machine must not drain it first
                            assertThat(alertsStored.await(60, TimeUnit.SECONDS)).isTrue();
                        }
                        if (!p.startsWith("f") || p.endsWith(".0")) {
                            levels.put(p, d.headers().getOrDefault(Priority.HEADER, "none"));
                        }
                        order.add(p);
                    }));
            TetherNode a = c.start("a", cfg -> cfg.lanePriority("alerts*", 7));
            List<SendReceipt> flood = flood(a);
            Await.until(DEADLINE, () -> order.size() >= FLOOD_BEFORE, () -> "flood under way: " + order.size());
            List<SendReceipt> alerts = new ArrayList<>();
            for (int i = 0; i < ALERTS; i++)
                alerts.add(a.send(B, "alerts", ("alert" + i).getBytes(StandardCharsets.UTF_8)));
            // Counted from when a's engine holds every alert (stored): priority orders the engine's queues, not the
            // node loop's input queue nor the store batches cut before the alerts, which the flood's credit outruns.
            for (SendReceipt r : alerts) r.accepted().get(60, TimeUnit.SECONDS);
            int at = order.size();
            alertsStored.countDown();
            for (SendReceipt r : alerts)
                assertThat(r.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            for (SendReceipt r : flood)
                assertThat(r.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            int backlog = LANES * PER_LANE - at;
            List<String> all = List.copyOf(order); // complete now: every message was processed
            int lastAlert = all.indexOf("alert" + (ALERTS - 1));
            long floodBetween = all.subList(at, Math.max(at, lastAlert)).stream()
                    .filter(p -> p.startsWith("f"))
                    .count();

            System.out.println("PriorityNodeTest: flood messages handled between the alerts' send and the last alert: "
                    + floodBetween + " of a backlog of " + backlog);
            assertThat(order.stream().filter(p -> p.startsWith("alert")))
                    .as("the alerts in order")
                    .containsExactly(alertNames());
            // b holds at most a window of each flood stream and hands each at most one run (<= window) at a time:
            // what was handed out before the alerts arrived may go first, the rest of the backlog may not
            assertThat(floodBetween).isLessThanOrEqualTo(2L * LANES * WINDOW);
            assertThat(backlog).as("a backlog to overtake").isGreaterThan(4 * LANES * WINDOW);
            assertThat(levels).containsEntry("alert0", "7").containsEntry("f0.0", "0");
        }
    }

    /**
     * The receiver's side alone: b's one handler thread is held while every flood stream's window and the alerts wait
     * at b, each stream with its run queued for the thread. Once released, the alerts' first run (level 7) is taken
     * before the flood's queued runs (level 0): at most the run that held the thread goes first. Without priority the
     * runs are taken in arrival order, and the first alert came after 1,263 flood messages (checked once).
     */
    @Test
    void queuedRunsOfTheFloodWaitWhileTheAlertsRunFirst() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch held = new CountDownLatch(1);
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode b = c.start(
                    "b",
                    cfg -> cfg.window(WINDOW).handlerThreads(1).handler(d -> {
                        assertThat(held.await(60, TimeUnit.SECONDS)).isTrue();
                        order.add(new String(d.payloadBytes(), StandardCharsets.UTF_8));
                    }));
            TetherNode a = c.start("a", cfg -> cfg.lanePriority("alerts*", 7));
            List<SendReceipt> all = new ArrayList<>();
            for (int i = 0; i < 2 * WINDOW; i++) {
                for (int l = 0; l < LANES; l++) {
                    all.add(a.send(B, "bulk" + l, ("f" + l + "." + i).getBytes(StandardCharsets.UTF_8)));
                }
            }
            for (int l = 0; l < LANES; l++) awaitHeldAtB(b, "bulk" + l, WINDOW);
            for (int i = 0; i < ALERTS; i++) {
                all.add(a.send(B, "alerts", ("alert" + i).getBytes(StandardCharsets.UTF_8)));
            }
            awaitHeldAtB(b, "alerts", ALERTS);
            held.countDown();
            for (SendReceipt r : all) {
                assertThat(r.processed().get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.PROCESSED);
            }
            int firstAlert = order.indexOf("alert0");
            System.out.println(
                    "PriorityNodeTest: flood messages handled before the first alert, all queued at b: " + firstAlert);
            assertThat(order.stream().filter(p -> p.startsWith("alert")))
                    .as("the alerts in order")
                    .containsExactly(alertNames());
            // The alerts may have come as more than one run (the first was queued as soon as alert0 arrived), and
            // the next is queued only once the one before has run: a flood run may go between. The first overtakes.
            assertThat(firstAlert).as("flood messages before the first alert").isLessThanOrEqualTo(WINDOW);
        }
    }

    /** Sends the flood: {@link #PER_LANE} messages on each of {@link #LANES} lanes at level 0, round robin. */
    private static List<SendReceipt> flood(TetherNode a) {
        List<SendReceipt> flood = new ArrayList<>();
        for (int i = 0; i < PER_LANE; i++) {
            for (int l = 0; l < LANES; l++) {
                flood.add(a.send(OutboundMessage.to(B)
                        .lane("bulk" + l)
                        .priority(0)
                        .payload(("f" + l + "." + i).getBytes(StandardCharsets.UTF_8))
                        .build()));
            }
        }
        return flood;
    }

    private static void awaitHeldAtB(TetherNode b, String lane, int count) {
        Await.until(
                DEADLINE,
                () -> {
                    StreamStats s = b.stats().stream(NodeId.of("a"), lane, StreamStats.Direction.INBOUND);
                    return s != null && s.inFlight() == count;
                },
                () -> lane + " at b: " + b.stats().stream(NodeId.of("a"), lane, StreamStats.Direction.INBOUND));
    }

    private static String[] alertNames() {
        String[] s = new String[ALERTS];
        for (int i = 0; i < ALERTS; i++) s[i] = "alert" + i;
        return s;
    }
}
