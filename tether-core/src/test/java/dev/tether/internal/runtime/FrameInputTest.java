package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.internal.engine.FrameCodec;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Received frames in the node loop's input ({@link FrameInput}): frames made by the codec, posted through a loop that
 * is not started, taken and run here in the input's order. What is recorded is the order in which the frames reach
 * the engine: one peer and lane's frames in arrival order, a high-priority frame ahead of the queued low ones with its
 * stream's earlier frames (an OPEN) taken along, fences for the plain posts before the switch, a HELLO and a peer's
 * connection events. Single-threaded.
 */
class FrameInputTest {
    private static final NodeId A = NodeId.of("a");

    private final NodeLoop loop = new NodeLoop(Clock.systemUTC(), null, null, new AtomicLong(), null);
    private final FrameInput input = new FrameInput(loop);
    /** What reached the "engine", in order. */
    private final List<String> ran = new ArrayList<>();

    private void frame(String name, ByteBuffer frame) {
        input.frame(A, frame, now -> ran.add(name));
    }

    /** Takes and runs every queued command in the input's order. */
    private List<String> runAll() {
        ran.clear();
        for (NodeLoop.Command c = loop.input().poll();
                c != null;
                c = loop.input().poll()) c.run(0);
        return List.copyOf(ran);
    }

    private static ByteBuffer data(String lane, int level) {
        ByteBuffer b = ByteBuffer.allocate(256);
        int at = FrameCodec.beginData(b, lane, 7, 1);
        FrameCodec.message(b, 0, 0, level == 4 ? Map.of() : Map.of(":p", "" + level), new byte[] {1}, 0);
        FrameCodec.endData(b, at, 1);
        return b.flip();
    }

    private static ByteBuffer open(String lane) {
        ByteBuffer b = ByteBuffer.allocate(64);
        FrameCodec.open(b, lane, 7, 0, 1);
        return b.flip();
    }

    private static ByteBuffer hello() {
        ByteBuffer b = ByteBuffer.allocate(64);
        FrameCodec.hello(b, A, 7, 9, 0);
        return b.flip();
    }

    /** The first level-0 frame switches the input to levels; taken before the case starts. */
    private void switched() {
        frame("warm", data("warm", 0));
        assertThat(runAll()).containsExactly("warm");
        assertThat(input.leveled()).isTrue();
    }

    @Test
    void untilALevelIsSeenFramesArePlainPostsInArrivalOrder() {
        frame("open", open("alerts"));
        frame("d1", data("alerts", 4));
        frame("d2", data("bulk", 4));
        assertThat(input.leveled()).isFalse();
        assertThat(loop.input().topLevel()).isEqualTo(4);
        assertThat(runAll()).containsExactly("open", "d1", "d2");
    }

    @Test
    void aHighFrameTakesItsStreamsOpenAlongAheadOfTheFlood() {
        switched();
        for (int i = 0; i < 5; i++) frame("bulk" + i, data("bulk", 0));
        frame("alerts.open", open("alerts"));
        for (int i = 5; i < 10; i++) frame("bulk" + i, data("bulk", 0));
        frame("alerts.data", data("alerts", 7));
        List<String> order = runAll();
        // the level-7 ticket is taken first and runs the OPEN ahead of it: never DATA before its OPEN
        assertThat(order.subList(0, 2)).containsExactly("alerts.open", "alerts.data");
        assertThat(order.subList(2, order.size()))
                .containsExactly(
                        "bulk0", "bulk1", "bulk2", "bulk3", "bulk4", "bulk5", "bulk6", "bulk7", "bulk8", "bulk9");
    }

    @Test
    void aStreamWhoseFramesChangeLevelKeepsItsOrder() {
        switched();
        for (int i = 0; i < 20; i++) frame("flood" + i, data("flood", 0));
        frame("mixed.open", open("mixed"));
        for (int i = 0; i < 8; i++) frame("mixed" + i, data("mixed", i % 2 == 0 ? 0 : 7));
        List<String> order = runAll();
        assertThat(order).hasSize(29).doesNotHaveDuplicates();
        assertThat(order.stream().filter(n -> n.startsWith("mixed")).toList())
                .containsExactly(
                        "mixed.open", "mixed0", "mixed1", "mixed2", "mixed3", "mixed4", "mixed5", "mixed6", "mixed7");
        List<String> flood = new ArrayList<>();
        for (int i = 0; i < 20; i++) flood.add("flood" + i);
        assertThat(order.stream().filter(n -> n.startsWith("flood")).toList()).isEqualTo(flood);
        assertThat(order.indexOf("mixed1")).as("level 7 still passes the flood").isLessThan(order.indexOf("flood0"));
    }

    @Test
    void theSwitchKeepsTheFramesPostedBeforeItAhead() {
        frame("alerts.open", open("alerts"));
        frame("bulk0", data("bulk", 4));
        frame("alerts.data", data("alerts", 7)); // the switch: behind a fence, so behind the OPEN posted plainly
        frame("bulk1", data("bulk", 0));
        assertThat(runAll()).containsExactly("alerts.open", "bulk0", "alerts.data", "bulk1");
        frame("bulk2", data("bulk", 0));
        frame("alerts.data2", data("alerts", 7));
        assertThat(runAll()).as("the fence ran: levels apply").containsExactly("alerts.data2", "bulk2");
    }

    @Test
    void nothingReceivedAfterAHelloOrAPeerComingUpPassesIt() {
        switched();
        frame("bulk0", data("bulk", 0));
        frame("hello", hello());
        frame("alerts.data", data("alerts", 7)); // at level 4 behind the HELLO while it waits (else first)
        List<String> order = runAll();
        assertThat(order).containsExactlyInAnyOrder("bulk0", "hello", "alerts.data");
        assertThat(order.indexOf("alerts.data")).isGreaterThan(order.indexOf("hello"));
        frame("bulk1", data("bulk", 0));
        input.peerUp(A, now -> ran.add("up"));
        frame("alerts.data2", data("alerts", 7));
        order = runAll();
        assertThat(order).containsExactlyInAnyOrder("bulk1", "up", "alerts.data2");
        assertThat(order.indexOf("alerts.data2")).isGreaterThan(order.indexOf("up"));
    }

    @Test
    void aPeerGoingDownRunsItsBoxedFramesFirstAndEachOnce() {
        switched();
        for (int i = 0; i < 3; i++) frame("bulk" + i, data("bulk", 0));
        frame("other", data("other", 0));
        input.peerDown(A, now -> ran.add("down"));
        List<String> order = runAll();
        assertThat(order).hasSize(5).endsWith("down");
        assertThat(order.subList(0, 4)).containsExactlyInAnyOrder("bulk0", "bulk1", "bulk2", "other");
        assertThat(order.subList(0, 4).stream()
                        .filter(n -> n.startsWith("bulk"))
                        .toList())
                .containsExactly("bulk0", "bulk1", "bulk2");
    }

    @Test
    void manyLanesStayInOrderWhileEmptyBoxesAreDropped() {
        switched();
        for (int round = 0; round < 3; round++) {
            for (int l = 0; l < 3 * FrameInput.PRUNE_FROM; l++) {
                frame("l" + l + "." + round + "a", data("lane" + l, 0));
                frame("l" + l + "." + round + "b", data("lane" + l, 7));
            }
            List<String> order = runAll();
            assertThat(order).hasSize(6 * FrameInput.PRUNE_FROM).doesNotHaveDuplicates();
            for (int l = 0; l < 3 * FrameInput.PRUNE_FROM; l++) {
                String prefix = "l" + l + ".";
                assertThat(order.stream().filter(n -> n.startsWith(prefix)).toList())
                        .containsExactly(prefix + round + "a", prefix + round + "b");
            }
        }
    }

    @Test
    void framesWithoutALaneAreDefaultPostsAndBadFramesAreNotLost() {
        switched();
        frame("bulk0", data("bulk", 0));
        ByteBuffer ping = ByteBuffer.allocate(32);
        FrameCodec.ping(ping, 5);
        frame("ping", ping.flip());
        ByteBuffer shortOpen = open("alerts").limit(5); // names a lane it does not hold: the decoder reports it
        frame("short", shortOpen);
        frame("empty", ByteBuffer.allocate(0));
        List<String> order = runAll();
        assertThat(order).containsExactlyInAnyOrder("bulk0", "ping", "short", "empty");
        assertThat(order.stream().filter(n -> !n.equals("bulk0")).toList()).containsExactly("ping", "short", "empty");
    }
}
