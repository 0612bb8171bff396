package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link BatchAppends}: appends kept in order through growth, with their sends' tokens, sizes and levels. */
class BatchAppendsTest {
    private static final NodeId B = NodeId.of("b");

    @Test
    void keepsAppendsInOrderWithTheirSendsFields() {
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
        for (int i = 0; i < 500; i++) {
            OutStream s = r.nextInt(4) == 0 || expectedStreams.isEmpty()
                    ? streams.get(r.nextInt(streams.size()))
                    : expectedStreams.get(expectedStreams.size() - 1);
            Map<String, String> headers = r.nextBoolean() ? Map.of() : Map.of(":p", String.valueOf(r.nextInt(8)));
            PendingSend p = new PendingSend(r.nextLong(), headers, new byte[r.nextInt(100_000)], 0);
            a.add(s, p, new StoredMessage(B, s.key.lane(), i + 1, 0, Map.of(), new byte[1]));
            expectedStreams.add(s);
            expectedSends.add(p);
            if (r.nextInt(50) == 0) a.reserve(r.nextInt(100));
        }
        assertThat(a.size()).as("seed " + seed).isEqualTo(500);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.stream(i)).as("seed %d, %d", seed, i).isSameAs(expectedStreams.get(i));
            PendingSend p = expectedSends.get(i);
            assertThat(a.token(i)).as("seed %d, %d", seed, i).isEqualTo(p.token());
            assertThat(a.sendSize(i)).as("seed %d, %d", seed, i).isEqualTo(p.size());
            assertThat(a.level(i)).as("seed %d, %d", seed, i).isEqualTo(p.level());
            assertThat(a.stored(i).seq()).as("seed %d, %d", seed, i).isEqualTo(i + 1);
        }
    }

    /**
     * A committed batch's appends, cleared, hold no message or stream any more, and the next batch takes their arrays
     * if they fit what it appends (not if they are too small), and holds its own appends in them.
     */
    @Test
    void aClearedBatchLetsGoOfItsAppendsAndLendsItsArrays() {
        OutStream s = new OutStream(new StreamKey(B, "l"), 0, 0, null, new TimerQueue<>());
        BatchAppends first = new BatchAppends();
        first.reserve(100);
        for (int i = 0; i < 100; i++) first.add(s, send(i), new StoredMessage(B, "l", i + 1, 0, Map.of(), new byte[1]));
        assertThat(first.keptForReuse()).isTrue();
        assertThat(first.size()).isZero();
        BatchAppends tooLarge = new BatchAppends();
        tooLarge.reuse(first, 200);
        tooLarge.reserve(200);
        assertThat(tooLarge.stream(199)).isNull();
        BatchAppends next = new BatchAppends();
        next.reuse(first, 60);
        next.reserve(60);
        for (int i = 0; i < 60; i++)
            next.add(s, send(1_000 + i), new StoredMessage(B, "l", i + 1, 0, Map.of(), new byte[1]));
        assertThat(next.size()).isEqualTo(60);
        for (int i = 0; i < 60; i++) assertThat(next.token(i)).isEqualTo(1_000 + i);
        // the arrays it took are the first batch's (128 slots, not 64), and what it did not fill is empty
        assertThat(next.stream(127)).isNull();
        assertThat(next.stored(60)).isNull();
        assertThat(next.keptForReuse()).isTrue();
        for (int i = 0; i < 128; i++)
            assertThat(next.stored(i)).as("slot %d let go", i).isNull();
        BatchAppends large = new BatchAppends();
        large.reserve(BatchAppends.MAX_KEPT + 1);
        assertThat(large.keptForReuse()).as("too large to keep").isFalse();
    }

    private static PendingSend send(long token) {
        return new PendingSend(token, Map.of(), new byte[1], 0);
    }
}
