package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.Priority;
import dev.tether.internal.util.SeqRing;
import dev.tether.spi.StoredMessage;
import java.lang.reflect.Field;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An inbound stream that buffered a window once lets go of its grown buffer when it has settled everything, as the
 * sending side's ring does, so an idle stream costs what docs/BENCHMARKS.md says whatever it held before (audit 6b,
 * finding 4: it kept 1,024 slots for the rest of the process).
 */
class IdleInStreamBufferTest {
    private static final int WINDOW = 1024;

    private static InStream filled() {
        InStream s = new InStream(new StreamKey(NodeId.of("a"), "x"), 7, 0);
        for (long seq = 1; seq <= WINDOW; seq++) {
            StoredMessage m = new StoredMessage(NodeId.of("b"), "x", seq, 0, Map.of(), new byte[] {1});
            assertThat(s.receive(seq, 0, m, Priority.DEFAULT, s.credit(WINDOW))).isEqualTo(InStream.Arrival.BUFFERED);
        }
        assertThat(slots(s)).isGreaterThanOrEqualTo(WINDOW);
        return s;
    }

    private static int slots(InStream s) {
        try {
            Field f = InStream.class.getDeclaredField("buffer");
            f.setAccessible(true);
            SeqRing<?> ring = (SeqRing<?>) f.get(s);
            Field slots = SeqRing.class.getDeclaredField("slots");
            slots.setAccessible(true);
            return ((Object[]) slots.get(ring)).length;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anInboundStreamThatSettledEverythingLetsGoOfItsGrownBuffer() {
        InStream s = filled();
        s.handingOut(WINDOW);
        assertThat(s.runEnded(s.generation(), WINDOW, 0)).isTrue();
        s.settleRun(WINDOW);
        assertThat(s.buffered()).isZero();
        assertThat(slots(s)).as("slots kept by an idle inbound stream").isLessThanOrEqualTo(16);

        StoredMessage next = new StoredMessage(NodeId.of("b"), "x", WINDOW + 1, 0, Map.of(), new byte[] {2});
        assertThat(s.receive(WINDOW + 1, 0, next, Priority.DEFAULT, s.credit(WINDOW)))
                .isEqualTo(InStream.Arrival.BUFFERED); // and buffers again after
        assertThat(s.buffered()).isEqualTo(1);
    }

    @Test
    void aRestartedInboundStreamLetsGoOfItsGrownBuffer() {
        InStream s = filled();
        s.restart(8, 0);
        assertThat(s.buffered()).isZero();
        assertThat(slots(s)).isLessThanOrEqualTo(16);
    }
}
