package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Priority in the engine (docs/PROTOCOL.md, "Priority"), two engines on manual time in bursts of inputs as the node
 * loop runs them: the store batch, the transmission and the delivery queues serve streams with higher-priority
 * messages first, weighted; a stream is never reordered; a lower level is never starved. Positions, not times.
 */
class PriorityEngineTest {
    private static final NodeId B = NodeId.of("b");
    private static final int FLOOD_LANES = 20;
    private static final int FLOOD_PER_LANE = 200;

    private final EngineHarness h = new EngineHarness("a", "b");
    private final EngineHarness.Node a = h.node("a");
    private final EngineHarness.Node b = h.node("b");

    private void send(String lane, int level, String payload) {
        long token = ++h.tokens;
        Map<String, String> headers = level == 4 ? Map.of() : Map.of(":p", Integer.toString(level));
        a.input(e -> e.send(h.now, token, B, lane, headers, payload.getBytes(), 0));
    }

    private void flood(int level) {
        for (int i = 0; i < FLOOD_PER_LANE; i++) {
            for (int l = 0; l < FLOOD_LANES; l++) send("bulk" + l, level, "f" + l + "." + i);
        }
    }

    /** Runs bursts until {@code n} messages are delivered at b (the flood is under way). */
    private void runUntilDelivered(int n) {
        for (int bursts = 0; b.delivered.size() < n; bursts++) {
            assertThat(bursts).as("bursts before %d deliveries", n).isLessThan(100_000);
            h.runBurst();
        }
    }

    private List<String> deliveredSince(int from) {
        return b.payloads().subList(from, b.payloads().size());
    }

    /** Flood messages delivered after {@code from} and before the last of {@code marks}. */
    private int floodBefore(int from, String prefix, int marks) {
        List<String> since = deliveredSince(from);
        int last = -1;
        for (int i = 0; i < since.size(); i++) if (since.get(i).startsWith(prefix)) last = i;
        assertThat(since.stream().filter(p -> p.startsWith(prefix)).count()).isEqualTo(marks);
        int n = 0;
        for (int i = 0; i < last; i++) if (since.get(i).startsWith("f")) n++;
        return n;
    }

    /** Where the alerts went: the store batch and their place in it, and their place among b's hand-outs of a turn. */
    private record Positions(int batchesBefore, int floodAheadInBatch, int floodAheadInTurn, int floodBeforeLast) {}

    /**
     * A level-0 flood of 4,000 sends on 20 streams, its first batch in the store, then 10 alerts at {@code alertLevel}:
     * where they went.
     */
    private Positions alertsInAFlood(int alertLevel) {
        h.bursts = true;
        h.connect("a", "b");
        h.runBursts();
        flood(0);
        h.runBurst(); // saturated: the flood's first batch is in the store, the rest of it waits for batches
        int batchesBefore = a.batches.size();
        for (int i = 0; i < 10; i++) send("alerts", alertLevel, "alert" + i);
        // the alerts' DATA frame is held back and given to b last in a burst with flood frames: b marks the flood
        // streams due before the alerts' stream, so only priority can serve the alerts first
        ByteBuffer[] held = new ByteBuffer[1];
        h.filter = (from, to, frame) -> {
            if (held[0] != null || !(FrameCodec.decode(frame.duplicate()) instanceof Frame.Data d)) return true;
            if (!d.lane().equals("alerts")) return true;
            held[0] = frame;
            return false;
        };
        boolean given = false;
        int floodAheadInTurn = -1;
        do { // each burst hands b's deliveries of the turn before to the application, in the engine's order
            if (held[0] != null && !given) {
                ByteBuffer f = held[0];
                h.tasks.addLast(() -> b.input(e -> e.onFrame(h.now, a.id, f)));
                given = true;
            }
            int from = b.delivered.size();
            h.runBurst();
            List<String> turn = b.payloads().subList(from, b.payloads().size());
            if (floodAheadInTurn < 0 && turn.contains("alert0")) floodAheadInTurn = turn.indexOf("alert0");
        } while (!h.tasks.isEmpty());
        assertThat(b.delivered).hasSize(FLOOD_LANES * FLOOD_PER_LANE + 10);
        List<String> alerts = new ArrayList<>();
        for (int i = 0; i < 10; i++) alerts.add("alert" + i);
        assertThat(b.payloads().stream().filter(p -> p.startsWith("alert")))
                .as("the alerts in order")
                .containsExactlyElementsOf(alerts);
        int batch = -1, ahead = 0;
        for (int i = batchesBefore; i < a.batches.size() && batch < 0; i++) {
            ahead = 0;
            for (var m : a.batches.get(i).appends()) {
                if (new String(m.payload()).equals("alert0")) {
                    batch = i - batchesBefore;
                    break;
                }
                ahead++;
            }
        }
        Positions p = new Positions(batch, ahead, floodAheadInTurn, floodBefore(0, "alert", 10));
        System.out.println("PriorityEngineTest: alerts at level " + alertLevel + ": " + p);
        return p;
    }

    @Test
    void levelSevenMessagesOvertakeASaturatingLevelZeroFlood() {
        Positions p = alertsInAFlood(7);
        // the first batch after the send, first in it; first of the runs b hands out in the turn they arrive (in this
        // harness a flood stream has its run out whenever new frames of it arrive, so that position would be first
        // at level 0 too: the delivery queue's order is shown by WeightedLevelsTest, not here)
        assertThat(p.batchesBefore()).isZero();
        assertThat(p.floodAheadInBatch()).isZero();
        assertThat(p.floodAheadInTurn()).isZero();
    }

    /** {@link #alertsInAFlood} at level 7 on a harness of its own: how many flood messages b delivered first. */
    private static int alertsAtSevenFloodBeforeLast() {
        return new PriorityEngineTest().alertsInAFlood(7).floodBeforeLast();
    }

    @Test
    void atTheFloodsLevelTheAlertsWaitTheirRoundRobinTurn() {
        // the peer of the test above: at the flood's level the alerts wait behind a turn of each flood stream at the
        // store and at delivery, so the positions above come from priority, not from the harness
        Positions p = alertsInAFlood(0);
        assertThat(p.batchesBefore() > 0 || p.floodAheadInBatch() >= FLOOD_LANES * Senders.QUANTUM)
                .as("behind a quantum of each flood stream at the store: %s", p)
                .isTrue();
        assertThat(p.floodBeforeLast()).isGreaterThan(alertsAtSevenFloodBeforeLast());
    }

    @Test
    void aHighMessageRaisesItsStreamWithoutReorderingIt() {
        h.bursts = true;
        h.connect("a", "b");
        h.runBursts();
        flood(0);
        h.runBurst(); // the first batch of the flood goes to the store; the rest of it waits
        // a level-7 message behind bulk19's waiting sends (bulk19 is last in the round robin): bulk19's waiting sends
        // go into the next batch first, then the message, then the other flood streams' (priority inheritance)
        int batchesBefore = a.batches.size();
        send("bulk19", 7, "urgent");
        h.runBursts();
        List<String> next = a.batches.get(batchesBefore).appends().stream()
                .map(m -> new String(m.payload()))
                .toList();
        int urgent = next.indexOf("urgent");
        assertThat(urgent).as("urgent in the first batch after it: %s", next).isPositive();
        assertThat(next.subList(0, urgent)).allMatch(p -> p.startsWith("f19."));
        assertThat(next.subList(urgent + 1, next.size())).noneMatch(p -> p.startsWith("f19."));
        List<String> bulk19 = b.payloads().stream()
                .filter(p -> p.startsWith("f19.") || p.equals("urgent"))
                .toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < FLOOD_PER_LANE; i++) expected.add("f19." + i);
        expected.add("urgent");
        assertThat(bulk19).as("bulk19 in order").containsExactlyElementsOf(expected);
    }

    @Test
    void aLevelZeroStreamIsNotStarvedByASaturatingLevelSevenFlood() {
        h.window = 8;
        h.bursts = true;
        h.connect("a", "b");
        h.runBursts();
        flood(7);
        for (int i = 0; i < 20; i++) send("low", 0, "low" + i);
        h.runBursts();
        List<String> all = b.payloads();
        int lastLow = all.indexOf("low19");
        assertThat(all.stream().filter(p -> p.startsWith("low"))).hasSize(20);
        assertThat(lastLow).as("position of the last level-0 message").isLessThan(all.size() - 1000);
    }

    private static List<String> payloads(dev.tether.spi.WriteBatch w) {
        return w.appends().stream().map(m -> new String(m.payload())).toList();
    }

    @Test
    void aHighSendGetsAnEarlyBatchWithoutTheFloodsBacklog() {
        h.bursts = true;
        h.connect("a", "b");
        h.runBursts();
        a.holdCommits = true; // a slow store: the flood's batches stay in flight
        flood(0);
        h.runBurst(); // two flood batches in flight (maxBatchesInFlight), 4,000 - 1,750 sends wait
        int before = a.batches.size();
        assertThat(a.engine.batchesInFlight()).isEqualTo(2);
        send("alerts", 7, "alert0");
        h.runBurst();
        // without the early batch nothing is cut while two are in flight; with one that took what waits (or a quarter
        // of it), the alert would sit behind hundreds of flood sends
        assertThat(a.batches).as("an early batch for the alert").hasSize(before + 1);
        List<String> early = payloads(a.batches.get(before));
        assertThat(early).contains("alert0");
        assertThat(early.stream().filter(p -> p.startsWith("f")).count())
                .as("flood sends in the early batch: %s", early)
                .isLessThanOrEqualTo(Senders.QUANTUM);
        send("alerts", 7, "alert1");
        h.runBurst();
        assertThat(a.batches).as("one early batch in flight at a time").hasSize(before + 1);
        a.releaseCommits();
        h.runBursts();
        assertThat(b.delivered).hasSize(FLOOD_LANES * FLOOD_PER_LANE + 2);
        for (int l = 0; l < FLOOD_LANES; l++) {
            String lane = "f" + l + ".";
            List<String> got =
                    b.payloads().stream().filter(x -> x.startsWith(lane)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < FLOOD_PER_LANE; i++) expected.add(lane + i);
            assertThat(got).as("flood lane %d in order", l).containsExactlyElementsOf(expected);
        }
        assertThat(b.payloads().stream().filter(x -> x.startsWith("alert"))).containsExactly("alert0", "alert1");
    }

    @Test
    void aSteadyStreamOfHighSendsHoldsNoLevelZeroSendBack() {
        h.bursts = true;
        h.connect("a", "b");
        h.runBursts();
        flood(0);
        // one level-7 send in every turn: each cuts an early batch, and the flood's batches go on beside them (the
        // last few hundred sends, fewer than minBatchMessages, wait for no batch in flight but early ones)
        for (int i = 0; i < 300; i++) {
            send("alerts", 7, "alert" + i);
            h.runBurst();
        }
        long flood = b.payloads().stream().filter(x -> x.startsWith("f")).count();
        assertThat(flood).as("flood delivered while the alerts came").isEqualTo(FLOOD_LANES * FLOOD_PER_LANE);
        assertThat(b.payloads().stream().filter(x -> x.startsWith("alert")).count())
                .isGreaterThanOrEqualTo(290);
    }

    @Test
    void anInvalidPriorityFromAPeerIsAProtocolErrorAndMeansFour() {
        h.connect("a", "b");
        h.run();
        long token = ++h.tokens;
        a.input(e -> e.send(h.now, token, B, "l", Map.of(":p", "9"), "bad".getBytes(), 0));
        send("l", 6, "good");
        h.run();
        assertThat(b.payloads()).containsExactly("bad", "good");
        assertThat(b.events)
                .filteredOn(e -> e instanceof TetherEvent.ProtocolError)
                .singleElement()
                .asString()
                .contains("invalid priority header");
        assertThat(b.engine.counters().protocolErrors()).isEqualTo(1);
    }
}
