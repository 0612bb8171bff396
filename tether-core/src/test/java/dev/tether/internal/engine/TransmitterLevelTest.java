package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.FailurePolicy;
import dev.tether.NodeId;
import dev.tether.RetryPolicy;
import dev.tether.spi.StoredMessage;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A sender stream's level at transmission ({@link Transmitter#level}): the highest of the messages its credit lets it
 * send now; read from its page without looking at the messages while they are all of one level ({@link
 * PageBounds#onlyLevel}), which a page forgets once it holds nothing.
 */
class TransmitterLevelTest {
    private static final NodeId B = NodeId.of("b");
    private static final StreamKey KEY = new StreamKey(B, "l");

    private final Transmitter transmitter = new Transmitter(1, 1, null, null, null, null);

    private static StoredMessage message(long seq, int level) {
        Map<String, String> headers = level == 4 ? Map.of() : Map.of(":p", Integer.toString(level));
        return new StoredMessage(B, "l", seq, 0, headers, ("m" + seq).getBytes());
    }

    private static OutStream stream() {
        RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 1.0);
        EngineConfig cfg = new EngineConfig(
                NodeId.of("a"), Set.of(B), 128, 4096, 100_000, 100, 1000, retry, FailurePolicy.DEAD_LETTER, 4);
        return new OutStream(KEY, 0, 0, new PageBounds.Budget(cfg).page(), new TimerQueue<>());
    }

    @Test
    void aStreamOfOneLevelIsAtThatLevel() {
        OutStream s = stream();
        for (long seq = 1; seq <= 100; seq++) commit(s, message(seq, 0));
        s.acked(0, 0, 0, 50, 100);
        assertThat(s.page.onlyLevel()).isZero();
        assertThat(transmitter.level(s)).isZero();

        OutStream d = stream();
        for (long seq = 1; seq <= 10; seq++) commit(d, message(seq, 4));
        d.acked(0, 0, 0, 10, 100);
        assertThat(d.page.onlyLevel()).isEqualTo(4);
        assertThat(transmitter.level(d)).isEqualTo(4);
    }

    @Test
    void aMixedStreamIsAtTheHighestLevelWithinItsCredit() {
        OutStream s = stream();
        for (long seq = 1; seq <= 100; seq++) commit(s, message(seq, 0));
        commit(s, message(101, 7));
        s.acked(0, 0, 0, 50, 100);
        assertThat(s.page.onlyLevel()).as("two levels in the page").isEqualTo(-1);
        assertThat(transmitter.level(s))
                .as("the level-7 message is beyond the credit")
                .isZero();
        s.acked(0, 0, 0, 200, 100);
        assertThat(transmitter.level(s)).isEqualTo(7);
    }

    @Test
    void aPageThatHeldNothingForgetsItsLevels() {
        OutStream s = stream();
        commit(s, message(1, 0));
        commit(s, message(2, 7));
        s.acked(0, 0, 0, 10, 100);
        assertThat(s.page.onlyLevel()).isEqualTo(-1);
        s.acked(0, 2, 2, 12, 100); // everything acknowledged: the page is empty
        for (long seq = 3; seq <= 5; seq++) commit(s, message(seq, 7));
        assertThat(s.page.onlyLevel()).isEqualTo(7);
        assertThat(transmitter.level(s)).isEqualTo(7);
    }

    /** Commits {@code m} on {@code s} as the engine does: with the size and level of the send it was numbered from. */
    private static void commit(OutStream s, StoredMessage m) {
        PendingSend p = new PendingSend(0, m.headers(), m.payload(), m.expiresAtMillis());
        s.committed(m, p.size(), p.level());
    }
}
