package dev.tether.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * A read's frames in the node loop's input ({@link TransportEvents#onFrames}): one command for all of them while no
 * priority is used, each frame still handed over in arrival order, the bound on queued bytes kept per frame, and a
 * frame of another level switching the rest to levels ({@link FrameInput}). Frames made by the codec, posted through a
 * loop that is not started, taken and run here. Single-threaded.
 */
class TransportEventsTest {
    private static final NodeId A = NodeId.of("a");

    private final NodeLoop loop = new NodeLoop(Clock.systemUTC(), null, null, new AtomicLong(), null);
    /** What reached the "engine", in order: each frame's lane, "+" for each arrival. */
    private final List<String> ran = new ArrayList<>();

    private TransportEvents events(long maxQueuedBytes) {
        return new TransportEvents(loop, maxQueuedBytes, null, null, new TransportEvents.Sink() {
            @Override
            public void arrived() {
                ran.add("+");
            }

            @Override
            public void frame(long now, NodeId from, ByteBuffer frame) {
                if (frame.get(frame.position() + 3) == 0) throw new IllegalStateException("bad frame");
                ran.add(FrameLevel.laneKey(frame));
            }
        });
    }

    /** The queued commands, taken in the input's order. */
    private List<NodeLoop.Command> queued() {
        List<NodeLoop.Command> commands = new ArrayList<>();
        for (NodeLoop.Command c = loop.input().poll();
                c != null;
                c = loop.input().poll()) commands.add(c);
        return commands;
    }

    private static ByteBuffer data(String lane, int level) {
        ByteBuffer b = ByteBuffer.allocate(256);
        int at = FrameCodec.beginData(b, lane, 7, 1);
        FrameCodec.message(b, 0, 0, level == 4 ? Map.of() : Map.of(":p", "" + level), new byte[] {1}, 0);
        FrameCodec.endData(b, at, 1);
        return b.flip();
    }

    private static List<ByteBuffer> lanes(int from, int to) {
        List<ByteBuffer> frames = new ArrayList<>();
        for (int i = from; i < to; i++) frames.add(data("lane" + i, 4));
        return frames;
    }

    private static List<String> names(int from, int to) {
        List<String> names = new ArrayList<>();
        for (int i = from; i < to; i++) names.add("lane" + i);
        return names;
    }

    @Test
    void aReadOfFramesForManyStreamsIsOneCommandHandingThemOverInOrder() {
        TransportEvents events = events(1 << 20);
        events.onFrames(A, lanes(0, 500));
        List<NodeLoop.Command> commands = queued();
        assertThat(commands).hasSize(1);
        assertThat(events.queuedBytes()).isPositive();
        commands.get(0).run(0);
        List<String> expected = new ArrayList<>(List.of("+"));
        expected.addAll(names(0, 500));
        assertThat(ran).isEqualTo(expected);
        assertThat(events.queuedBytes()).isZero();
    }

    @Test
    void framesBeyondTheBoundAreShedOneByOneAndTheOthersStillGoTogether() {
        int size = data("lane0", 4).remaining();
        TransportEvents events = events(3L * size);
        events.onFrames(A, lanes(0, 3));
        events.onFrames(A, lanes(3, 5)); // nothing ran: both shed
        List<NodeLoop.Command> commands = queued();
        assertThat(commands).hasSize(1);
        assertThat(events.shed.get()).isEqualTo(2);
        commands.get(0).run(0);
        assertThat(ran).containsExactly("+", "lane0", "lane1", "lane2");
        assertThat(events.queuedBytes()).isZero();
    }

    @Test
    void aFrameThatFailsKeepsNoneOfTheOthersFromTheEngine() {
        TransportEvents events = events(1 << 20);
        List<ByteBuffer> frames = lanes(0, 2);
        frames.add(1, data("", 4)); // the sink throws for an empty lane
        events.onFrames(A, frames);
        List<NodeLoop.Command> commands = queued();
        assertThat(commands).hasSize(1);
        assertThatThrownBy(() -> commands.get(0).run(0)).hasMessage("bad frame");
        assertThat(ran).containsExactly("+", "lane0", "lane1");
        assertThat(events.queuedBytes()).isZero();
    }

    @Test
    void aFrameOfAnotherLevelSendsTheFramesBeforeItTogetherAndItAndTheRestByLevel() {
        TransportEvents events = events(1 << 20);
        List<ByteBuffer> frames = lanes(0, 3);
        frames.add(data("urgent", 0));
        frames.add(data("lane3", 4));
        events.onFrames(A, frames);
        // the three before it, a fence behind them (the switch), then one ticket per frame
        List<NodeLoop.Command> commands = queued();
        assertThat(commands).hasSize(4);
        for (NodeLoop.Command c : commands) c.run(0);
        assertThat(ran).containsExactly("+", "lane0", "lane1", "lane2", "+", "urgent", "+", "lane3");
        // leveled from now on: each frame its own command
        ran.clear();
        events.onFrames(A, lanes(4, 6));
        assertThat(queued()).hasSize(2);
    }
}
