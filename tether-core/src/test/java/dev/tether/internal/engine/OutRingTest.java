package dev.tether.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.NodeId;
import dev.tether.Priority;
import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link OutRing} against a plain model (a sorted map of one record per message) under random adds, reads back from
 * the store (intact, damaged, unchecked), transmissions, compression marks and removals from both ends, through many
 * growths, wraps and compactions.
 */
class OutRingTest {
    private static final NodeId B = NodeId.of("b");

    /** What the ring must say of one message. */
    private static final class Model {
        final StoredMessage stored;
        final int bytes;
        final long checksum;
        final boolean corrupt;
        final int level;
        int transmissions;
        WireCompression.Compressed compressed;
        boolean keptPlain;

        Model(StoredMessage stored, int bytes, long checksum, boolean corrupt) {
            this.stored = stored;
            this.bytes = bytes;
            this.checksum = checksum;
            this.corrupt = corrupt;
            this.level = StreamLevels.of(stored.headers());
        }
    }

    @Test
    void agreesWithAModelUnderRandomOperations() {
        long seed = new Random().nextLong();
        System.out.println("OutRingTest seed " + seed);
        Random r = new Random(seed);
        OutRing ring = new OutRing();
        TreeMap<Long, Model> model = new TreeMap<>();
        long next = 1;
        for (int step = 0; step < 60_000; step++) {
            String at = "seed " + seed + ", step " + step;
            int op = r.nextInt(100);
            if (op < 45) {
                add(r, ring, model, next++);
            } else if (op < 60 && !model.isEmpty()) {
                long seq = pick(r, model);
                Model m = model.get(seq);
                assertThat(ring.transmitted(seq)).as(at).isEqualTo(m.transmissions++ > 0);
            } else if (op < 66 && !model.isEmpty()) {
                long seq = pick(r, model);
                Model m = model.get(seq);
                if (r.nextBoolean()) {
                    ring.keepPlain(seq);
                    m.keptPlain = true;
                } else {
                    m.compressed = new WireCompression.Compressed(Map.of(), new byte[] {(byte) seq});
                    ring.compressed(seq, m.compressed);
                }
            } else if (op < 72 && !model.isEmpty()) {
                long upTo = pick(r, model) + r.nextInt(3) - 1;
                ring.removeUpTo(upTo);
                model.headMap(upTo, true).clear();
                if (model.isEmpty()) next = Math.max(next, upTo + 1);
            } else if (op < 75 && !model.isEmpty()) {
                long from = pick(r, model);
                ring.removeFrom(from);
                model.tailMap(from, true).clear();
                next = from;
            } else if (op < 76) {
                ring.removeUpTo(next - 1);
                model.clear();
                ring.compact();
                if (r.nextBoolean()) {
                    next += r.nextInt(1_000);
                    ring.resetTo(next);
                }
            }
            if (step % 211 == 0 || model.size() < 20) check(at, ring, model, next);
        }
        check("seed " + seed + ", end", ring, model, next);
    }

    private static long pick(Random r, TreeMap<Long, Model> model) {
        long first = model.firstKey();
        return first + r.nextInt((int) (model.lastKey() - first + 1));
    }

    /** Adds message {@code seq}: numbered here, or read back intact, damaged or unchecked. */
    private static void add(Random r, OutRing ring, TreeMap<Long, Model> model, long seq) {
        Map<String, String> headers =
                r.nextInt(3) == 0 ? Map.of(Priority.HEADER, String.valueOf(r.nextInt(8))) : Map.of();
        byte[] payload = new byte[r.nextInt(20)];
        r.nextBytes(payload);
        long expires = r.nextInt(4) == 0 ? 1_000 + r.nextInt(1_000) : 0;
        long good = MessageChecksum.of("l", seq, expires, headers, payload);
        int bytes = FrameCodec.messageSize(headers, payload.length);
        int kind = r.nextInt(10);
        if (kind < 6) {
            StoredMessage m = new StoredMessage(B, "l", seq, expires, headers, payload, good);
            ring.add(m, bytes, StreamLevels.of(m.headers()));
            model.put(seq, new Model(m, bytes, good, false));
            return;
        }
        long stored = kind < 8 ? good : kind == 8 ? (good + 1) & 0xFFFF_FFFFL : MessageChecksum.UNCHECKED;
        StoredMessage m = new StoredMessage(B, "l", seq, expires, headers, payload, stored);
        boolean corrupt = kind == 8;
        assertThat(ring.addRead(m, bytes)).isEqualTo(corrupt);
        model.put(seq, new Model(m, bytes, good, corrupt));
    }

    private static void check(String at, OutRing ring, TreeMap<Long, Model> model, long next) {
        assertThat(ring.size()).as(at).isEqualTo(model.size());
        assertThat(ring.isEmpty()).as(at).isEqualTo(model.isEmpty());
        assertThat(ring.nextSeq()).as(at).isEqualTo(next);
        long first = model.isEmpty() ? next : model.firstKey();
        assertThat(ring.holds(first - 1)).as(at).isFalse();
        assertThat(ring.stored(next)).as(at).isNull();
        for (Map.Entry<Long, Model> e : model.entrySet()) {
            long seq = e.getKey();
            Model m = e.getValue();
            String where = at + ", seq " + seq;
            assertThat(ring.stored(seq)).as(where).isSameAs(m.stored);
            assertThat(ring.bytes(seq)).as(where).isEqualTo(m.bytes);
            assertThat(ring.checksum(seq)).as(where).isEqualTo(m.checksum);
            assertThat(ring.corrupt(seq)).as(where).isEqualTo(m.corrupt);
            assertThat(ring.level(seq)).as(where).isEqualTo(m.level);
            assertThat(ring.transmissions(seq)).as(where).isEqualTo(m.transmissions);
            assertThat(ring.compressed(seq)).as(where).isSameAs(m.compressed);
            assertThat(ring.keptPlain(seq)).as(where).isEqualTo(m.keptPlain);
        }
    }

    /** An idle ring holds no arrays (an idle stream costs no bytes here); a ring grows from its first size. */
    @Test
    void anIdleRingHoldsNoArraysAndGrowsFromItsFirstSize() {
        OutRing ring = new OutRing();
        assertThat(ring.capacity()).isZero();
        long next = 1;
        for (int round = 0; round < 3; round++) { // one message at a time, as to one of 10,000 streams round-robin
            ring.add(message(next), 10, 0);
            assertThat(ring.capacity()).as("round " + round).isEqualTo(OutRing.FIRST_SIZE);
            ring.removeUpTo(next++);
            ring.compact();
            assertThat(ring.capacity()).as("round " + round).isZero();
        }
        for (long seq = next; seq < next + 100; seq++) ring.add(message(seq), 10, 0);
        next += 100;
        ring.removeUpTo(next - 50);
        ring.compact(); // not empty: keeps its arrays
        assertThat(ring.capacity()).isEqualTo(128);
        assertThat(ring.stored(next - 1).seq()).isEqualTo(next - 1);
        ring.removeUpTo(next - 1);
        ring.compact();
        assertThat(ring.capacity()).isZero();
    }

    @Test
    void countsTransmissionsUpToItsLimitAndKeepsTheOtherPartsOfTheSlot() {
        OutRing ring = new OutRing();
        StoredMessage m = new StoredMessage(B, "l", 1, 0, Map.of(Priority.HEADER, "6"), new byte[1], 99);
        ring.addRead(m, Integer.MAX_VALUE); // damaged (its stored checksum is not its own), of the largest size
        ring.keepPlain(1);
        int limit = (1 << 24) - 1;
        assertThat(ring.transmitted(1)).isFalse();
        for (int i = 1; i < limit + 10; i++) ring.transmitted(1);
        assertThat(ring.transmissions(1)).isEqualTo(limit);
        assertThat(ring.transmitted(1)).isTrue();
        assertThat(ring.bytes(1)).isEqualTo(Integer.MAX_VALUE);
        assertThat(ring.level(1)).isEqualTo(6);
        assertThat(ring.corrupt(1)).isTrue();
        assertThat(ring.keptPlain(1)).isTrue();
    }

    private static StoredMessage message(long seq) {
        return new StoredMessage(B, "l", seq, 0, Map.of(), new byte[1]);
    }

    @Test
    void refusesAMessageThatDoesNotContinueItAndAsksOfNoneItDoesNotHold() {
        OutRing ring = new OutRing();
        ring.resetTo(5);
        StoredMessage six = new StoredMessage(B, "l", 6, 0, Map.of(), new byte[1]);
        assertThatThrownBy(() -> ring.add(six, 10, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expected seq 5, got 6");
        assertThatThrownBy(() -> ring.checksum(5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("message 5 is not held");
        assertThat(ring.stored(5)).isNull();
    }
}
