package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link BatchAppends}: appends kept in order through growth, and a stream's appends in a row as one run. */
class BatchAppendsTest {
    private static final NodeId B = NodeId.of("b");

    @Test
    void keepsAppendsInOrderAndGroupsEachStreamsRowIntoARun() {
        long seed = new Random().nextLong();
        System.out.println("BatchAppendsTest seed " + seed);
        Random r = new Random(seed);
        TimerQueue<OutStream> timers = new TimerQueue<>();
        List<OutStream> streams = new ArrayList<>();
        for (int i = 0; i < 5; i++) streams.add(new OutStream(new StreamKey(B, "l" + i), 0, 0, null, timers));
        BatchAppends a = new BatchAppends();
        if (r.nextBoolean()) a.reserve(r.nextInt(40));
        List<OutStream> expectedStreams = new ArrayList<>();
        List<PendingSend> expectedSends = new ArrayList<>();
        List<Integer> expectedRunStarts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            OutStream s = r.nextInt(4) == 0 || expectedStreams.isEmpty()
                    ? streams.get(r.nextInt(streams.size()))
                    : expectedStreams.get(expectedStreams.size() - 1);
            if (expectedStreams.isEmpty() || expectedStreams.get(expectedStreams.size() - 1) != s) {
                expectedRunStarts.add(i);
            }
            PendingSend p = new PendingSend(i, Map.of(), new byte[1], 0);
            a.add(s, p, new StoredMessage(B, s.key.lane(), i + 1, 0, Map.of(), new byte[1]));
            expectedStreams.add(s);
            expectedSends.add(p);
            if (r.nextInt(50) == 0) a.reserve(r.nextInt(100));
        }
        assertThat(a.size()).as("seed " + seed).isEqualTo(500);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.stream(i)).as("seed %d, %d", seed, i).isSameAs(expectedStreams.get(i));
            assertThat(a.send(i)).as("seed %d, %d", seed, i).isSameAs(expectedSends.get(i));
            assertThat(a.stored(i).seq()).as("seed %d, %d", seed, i).isEqualTo(i + 1);
        }
        List<Integer> runStarts = new ArrayList<>();
        for (int from = 0; from < a.size(); from = a.runEnd(from)) runStarts.add(from);
        assertThat(runStarts).as("seed " + seed).isEqualTo(expectedRunStarts);
    }
}
