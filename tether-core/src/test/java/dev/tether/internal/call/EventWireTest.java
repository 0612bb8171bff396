package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.EventHandle;
import dev.tether.EventLimits;
import dev.tether.NodeId;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The event messages and the stored registry entry: round trips, and every kind of malformed input refused. */
class EventWireTest {
    private static final EventHandle H = new EventHandle(NodeId.of("a"), "job-1", 42);

    @Test
    void everyMessageRoundTrips() {
        EventWire.Message t = EventWire.decode(EventWire.trigger(H, new byte[] {1, 2, 3}));
        assertThat(t.op()).isEqualTo(EventWire.TRIGGER);
        assertThat(t.handle()).isEqualTo(H);
        assertThat(t.payload()).containsExactly(1, 2, 3);
        EventWire.Message p = EventWire.decode(EventWire.poison(H, "why \u00e9"));
        assertThat(p.op()).isEqualTo(EventWire.POISON);
        assertThat(p.reason()).isEqualTo("why \u00e9");
        assertThat(EventWire.decode(EventWire.await(H)).op()).isEqualTo(EventWire.AWAIT);
        EventWire.Message w = EventWire.decode(EventWire.withdraw(H));
        assertThat(w.op()).isEqualTo(EventWire.WITHDRAW);
        assertThat(w.handle()).isEqualTo(H);
        EventWire.Message d = EventWire.decode(EventWire.done(H, EventWire.STALE, 77, new byte[] {9}, "r"));
        assertThat(d.op()).isEqualTo(EventWire.DONE);
        assertThat(d.outcome()).isEqualTo(EventWire.STALE);
        assertThat(d.generation()).isEqualTo(77);
        assertThat(d.payload()).containsExactly(9);
        assertThat(d.reason()).isEqualTo("r");
    }

    @Test
    void malformedMessagesAreRefusedWithTheReason() {
        byte[] ok = EventWire.trigger(H, new byte[] {1});
        assertRefused(new byte[0], "truncated");
        assertRefused(with(ok, 0, (byte) 2), "version");
        assertRefused(with(ok, 1, (byte) 9), "op");
        assertRefused(Arrays.copyOf(ok, ok.length - 1), "truncated");
        assertRefused(Arrays.copyOf(ok, ok.length + 1), "after the message");
        byte[] huge = EventWire.trigger(H, new byte[0]);
        ByteBuffer.wrap(huge).putInt(huge.length - 4, EventLimits.MAX_PAYLOAD_BYTES + 1);
        assertRefused(huge, "payload");
        byte[] badOutcome = EventWire.done(H, EventWire.TRIGGERED, 1, new byte[0], "");
        badOutcome[2 + 2 + H.toString().length()] = 9;
        assertRefused(badOutcome, "outcome");
        byte[] badHandle = EventWire.await(H);
        badHandle[4] = '/'; // "a/job-1/42" -> "a//ob-1/42"-like: not a handle
        assertRefused(badHandle, "");
        assertRefused(EventWire.poison(H, "x".repeat(EventLimits.MAX_REASON_CHARS + 1)), "reason");
    }

    @Test
    void randomMutationsNeverEscapeAsAnythingButARefusal() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("EventWireTest seed " + seed + " (-Dtether.seed=" + seed + " replays it)");
        Random r = new Random(seed);
        byte[][] valid = {
            EventWire.trigger(H, new byte[] {1, 2}),
            EventWire.poison(H, "reason"),
            EventWire.await(H),
            EventWire.withdraw(H),
            EventWire.done(H, EventWire.POISONED, 5, new byte[] {3}, "x")
        };
        for (int i = 0; i < 20_000; i++) {
            byte[] b = valid[r.nextInt(valid.length)].clone();
            int flips = 1 + r.nextInt(3);
            for (int f = 0; f < flips; f++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            if (r.nextInt(4) == 0) b = Arrays.copyOf(b, r.nextInt(b.length + 3));
            try {
                EventWire.decode(b);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void aStoredEntryRoundTripsAndACorruptOneIsRefused() {
        EventEntry e = new EventEntry("job-1", 42);
        e.state = EventEntry.POISONED;
        e.order = 7;
        e.reason = "r";
        e.payload = new byte[] {4};
        e.remoteWaiters.add(NodeId.of("b"));
        e.remoteWaiters.add(NodeId.of("c"));
        EventEntry back = EventEntry.decode("job-1", e.encode());
        assertThat(back.generation).isEqualTo(42);
        assertThat(back.state).isEqualTo(EventEntry.POISONED);
        assertThat(back.order).isEqualTo(7);
        assertThat(back.reason).isEqualTo("r");
        assertThat(back.payload).containsExactly(4);
        assertThat(back.remoteWaiters).containsExactly(NodeId.of("b"), NodeId.of("c"));
        assertThat(back.durable).isTrue();
        byte[] v = e.encode();
        assertThatThrownBy(() -> EventEntry.decode("job-1", Arrays.copyOf(v, v.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job-1");
        assertThatThrownBy(() -> EventEntry.decode("job-1", with(v, 0, (byte) 3)))
                .hasMessageContaining("version");
        assertThatThrownBy(() -> EventEntry.decode("bad id", v)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] with(byte[] b, int at, byte value) {
        byte[] c = b.clone();
        c[at] = value;
        return c;
    }

    private static void assertRefused(byte[] b, String reason) {
        assertThatThrownBy(() -> EventWire.decode(b))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }
}
