package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ACK entries of a turn ({@link PendingAcks} through {@link FrameWriter}): one frame per peer with its entries in
 * the order they were added, split only where the next entry would not fit the frame limit (or the DATA frame target),
 * and nothing left for the next turn.
 */
class PendingAcksTest {
    private static final NodeId B = NodeId.of("b"), C = NodeId.of("c");

    private record Sent(NodeId to, int bytes, List<Frame.Ack> entries) {}

    private final List<Sent> sent = new ArrayList<>();

    private FrameWriter writer(int maxFrameBytes) {
        EngineOutput out = (EngineOutput) Proxy.newProxyInstance(
                EngineOutput.class.getClassLoader(), new Class<?>[] {EngineOutput.class}, (proxy, m, args) -> {
                    if (m.getName().equals("transmit")) {
                        ByteBuffer f = (ByteBuffer) args[1];
                        int bytes = f.remaining();
                        Frame.Acks acks = (Frame.Acks) FrameCodec.decode(f.duplicate());
                        sent.add(new Sent((NodeId) args[0], bytes, acks.entries()));
                    }
                    return null;
                });
        return new FrameWriter(maxFrameBytes, out);
    }

    @Test
    void eachPeerGetsOneFrameWithItsEntriesInOrderAndTheNextTurnStartsEmpty() {
        FrameWriter w = writer(1 << 20);
        for (int i = 0; i < 10; i++) w.ack(i % 2 == 0 ? C : B, "lane-" + i, 7, i, i, i + 100);
        assertThat(sent).as("nothing before the end of the turn").isEmpty();
        w.flushAcks();
        assertThat(sent).extracting(Sent::to).containsExactly(C, B); // in the order of their first entry
        assertThat(sent.get(0).entries())
                .extracting(Frame.Ack::lane)
                .containsExactly("lane-0", "lane-2", "lane-4", "lane-6", "lane-8");
        assertThat(sent.get(1).entries())
                .extracting(Frame.Ack::lane)
                .containsExactly("lane-1", "lane-3", "lane-5", "lane-7", "lane-9");
        assertThat(sent.get(1).entries().get(2)).isEqualTo(new Frame.Ack("lane-5", 7, 5, 5, 105));
        sent.clear();
        w.flushAcks();
        assertThat(sent).isEmpty();
        w.ack(B, "next", 7, 1, 1, 1);
        w.flushAcks();
        assertThat(sent).singleElement().satisfies(s -> assertThat(s.entries()).hasSize(1));
    }

    @Test
    void entriesBeyondTheFrameLimitGoInFramesFilledInTurn() {
        int limit = 4096;
        FrameWriter w = writer(limit);
        int entries = 3_000;
        for (int i = 0; i < entries; i++) w.ack(B, "lane-" + i, 7, i, i, i);
        w.flushAcks();
        int largest = FrameCodec.ackEntrySize("lane-" + (entries - 1));
        assertThat(sent).hasSizeGreaterThan(entries * largest / limit);
        assertThat(sent).allSatisfy(s -> assertThat(s.bytes()).isLessThanOrEqualTo(limit));
        assertThat(sent.subList(0, sent.size() - 1))
                .allSatisfy(s -> assertThat(s.bytes()).isGreaterThan(limit - largest));
        List<String> lanes = new ArrayList<>();
        sent.forEach(s -> s.entries().forEach(a -> lanes.add(a.lane())));
        assertThat(lanes).hasSize(entries).doesNotHaveDuplicates();
        assertThat(lanes.get(entries - 1)).isEqualTo("lane-" + (entries - 1)); // in order
    }

    @Test
    void aLargeFrameLimitStillSplitsAtTheDataFrameTarget() {
        FrameWriter w = writer(1 << 20);
        for (int i = 0; i < 5_000; i++) w.ack(B, "lane-" + i, 7, i, i, i);
        w.flushAcks();
        assertThat(sent)
                .hasSizeGreaterThan(1)
                .allSatisfy(s -> assertThat(s.bytes()).isLessThanOrEqualTo(EngineConfig.DATA_FRAME_TARGET));
    }
}
