package dev.tether.transport.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.testkit.RecordingListener;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Feeds the subject handler seeded random traffic as a unit, without NATS: well-formed envelopes whose sessions
 * and link ids are drawn from small pools (so handshakes complete, frames match or miss the current link),
 * mutations of them (bit flips, truncation, extension, overwritten fields), pure noise, oversize messages, foreign
 * subjects and subjects naming another sender than the envelope claims (forgeries), interleaved with timeouts,
 * reconnects and link cuts. Nothing may throw, the listener rules
 * must hold throughout, and every rejection must be reported exactly once.
 *
 * <p>The seed is printed; {@code -Dtether.seed=N} replays it, {@code -Dtether.fuzz.iterations=N} runs longer.
 */
class InboundHandlerFuzzTest {
    private static final int MAX_FRAME = 256;
    private static final NodeId SELF = NodeId.of("me");
    private static final NodeId[] PEERS = {NodeId.of("p1"), NodeId.of("p.2"), NodeId.of("p_3"), SELF};
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(3);

    private final Subjects subjects = new Subjects("fz");
    /** The sender the last well-formed envelope claims. */
    private NodeId lastFrom = SELF;

    private long forgeries;
    private final List<Long> ourLinks = new ArrayList<>();
    /** The latest link id we sent each fake peer in a HELLO. */
    private final Map<NodeId, Long> latestToPeer = new HashMap<>();
    /** Each fake peer's current connection session and link id; they change now and then. */
    private final Map<NodeId, long[]> peerState = new HashMap<>();

    private long now;

    @Test
    void randomAndMutatedTrafficNeverEscapesTheHandler() {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        int iterations = Integer.getInteger("tether.fuzz.iterations", 500_000);
        System.out.println("InboundHandlerFuzzTest seed " + seed + " (replay: -Dtether.seed=" + seed + "), "
                + iterations + " iterations");
        Random random = new Random(seed);
        RecordingListener rules = new RecordingListener("me", MAX_FRAME);
        LinkTable table = new LinkTable(
                SELF, rules, (peer, conn, x, y) -> remember(peer, x), TIMEOUT, new SplittableRandom(seed));
        InboundHandler handler = new InboundHandler(subjects, SELF, MAX_FRAME, table, () -> now);
        long[] conns = new long[64];
        long[] theirLinks = new long[64];
        for (int i = 0; i < 64; i++) {
            conns[i] = i < 4 ? i + 1 : random.nextLong();
            theirLinks[i] = i < 4 ? i + 11 : random.nextLong();
        }
        table.startSession();

        for (int i = 0; i < iterations; i++) {
            now += random.nextInt(1_000_000);
            int action = random.nextInt(10_000);
            if (action < 30) table.expire(now + (action < 3 ? TIMEOUT * 2 : 0));
            else if (action < 33) table.endSession();
            else if (action < 40) table.startSession();
            else if (action < 45) table.block(pick(random, PEERS));
            else if (action < 60) table.unblock(pick(random, PEERS));
            else feed(handler, random, conns, theirLinks);
        }

        assertThat(rules.violations()).as("listener rules").isEmpty();
        assertThat((long) rules.rejections().size()).isEqualTo(table.rejectedMessages());
        // The traffic must have reached every outcome, or the fuzzer tests too little.
        assertThat(table.linksOpened()).as("links opened").isPositive();
        assertThat(rules.frames()).as("frames delivered").isNotEmpty();
        assertThat(table.fencedFrames()).as("frames fenced").isPositive();
        assertThat(table.rejectedMessages()).as("messages rejected").isPositive();
        assertThat(rules.rejections().stream()
                        .filter(r -> r.reason().startsWith("sender mismatch"))
                        .count())
                .as("forgeries rejected (mutations can forge too)")
                .isGreaterThanOrEqualTo(forgeries)
                .isPositive();
        System.out.println("InboundHandlerFuzzTest: links " + table.linksOpened() + ", delivered "
                + rules.frames().size() + ", fenced " + table.fencedFrames() + ", rejected "
                + table.rejectedMessages());
    }

    private void remember(NodeId peer, long link) {
        latestToPeer.put(peer, link);
        if (ourLinks.size() == 16) ourLinks.remove(0);
        ourLinks.add(link);
    }

    /**
     * One message: usually on the subject its kind and claimed sender belong on, sometimes on the right kind of
     * subject of another sender (a forgery, which must be rejected as a sender mismatch), sometimes anywhere.
     */
    private void feed(InboundHandler handler, Random r, long[] conns, long[] theirLinks) {
        lastFrom = pick(r, PEERS);
        boolean wellFormed = r.nextInt(100) < 75;
        byte[] m = wellFormed ? valid(r, conns, theirLinks) : invalid(r, conns, theirLinks);
        boolean presenceKind = m != null && m.length > 3 && (m[3] == 2 || m[3] == 4);
        int p = r.nextInt(20);
        String subject;
        if (p == 0) {
            subject = subject(r);
        } else if (p == 1 && wellFormed) {
            NodeId other = pick(r, PEERS);
            if (!other.equals(lastFrom)) forgeries++;
            subject = presenceKind ? subjects.presence(other) : subjects.inbox(SELF, other);
        } else {
            subject = presenceKind ? subjects.presence(lastFrom) : subjects.inbox(SELF, lastFrom);
        }
        handler.handle(subject, m);
    }

    private String subject(Random r) {
        int p = r.nextInt(100);
        if (p < 45) return subjects.presence(pick(r, PEERS));
        if (p < 85) return subjects.inbox(SELF, pick(r, PEERS));
        return switch (r.nextInt(8)) {
            case 0 -> subjects.inbox(NodeId.of("someone-else"), pick(r, PEERS));
            case 1 -> subjects.identityCheck(r.nextLong()).get(r.nextInt(2));
            case 2 -> subjects.presenceStart() + "a_x";
            case 3 -> subjects.inboxOf(SELF) + "a.b";
            case 4 -> subjects.presenceStart();
            case 5 -> "fz";
            case 6 -> "";
            default -> null;
        };
    }

    private byte[] invalid(Random r, long[] conns, long[] theirLinks) {
        int p = 75 + r.nextInt(25);
        if (p < 92) return mutate(r, valid(r, conns, theirLinks));
        if (p < 97) return noise(r, r.nextInt(64));
        if (p < 99) return noise(r, MAX_FRAME + Envelope.MAX_HEADER_BYTES + 1 + r.nextInt(1000));
        return r.nextBoolean() ? null : new byte[0];
    }

    private byte[] valid(Random r, long[] conns, long[] theirLinks) {
        NodeId from = lastFrom;
        long[] state = peerState.computeIfAbsent(from, id -> new long[] {conns[0], theirLinks[0]});
        if (r.nextInt(2000) == 0) state[0] = conns[r.nextInt(conns.length)];
        if (r.nextInt(500) == 0) state[1] = theirLinks[r.nextInt(theirLinks.length)];
        boolean coherent = r.nextInt(10) != 0;
        long conn = coherent ? state[0] : conns[r.nextInt(conns.length)];
        long x = coherent ? state[1] : theirLinks[r.nextInt(theirLinks.length)];
        long y;
        if (coherent) y = latestToPeer.getOrDefault(from, 0L);
        else y = ourLinks.isEmpty() || r.nextBoolean() ? 0 : ourLinks.get(r.nextInt(ourLinks.size()));
        int kind = r.nextInt(100);
        if (kind < 15) return Envelope.control(Envelope.Kind.ANNOUNCE, from, conn, 0, 0);
        if (kind < 16) {
            state[0] = conns[r.nextInt(conns.length)]; // a peer that said goodbye comes back on a new connection
            return Envelope.control(Envelope.Kind.GOODBYE, from, conn, 0, 0);
        }
        if (kind < 40) return Envelope.control(Envelope.Kind.HELLO, from, conn, x, y);
        byte[] frame = new byte[r.nextInt(MAX_FRAME + 1)];
        r.nextBytes(frame);
        return Envelope.frame(from, conn, x, y == 0 ? 1 : y, ByteBuffer.wrap(frame));
    }

    private static byte[] mutate(Random r, byte[] e) {
        return switch (r.nextInt(5)) {
            case 0 -> {
                byte[] m = e.clone();
                for (int i = 1 + r.nextInt(3); i > 0; i--) m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                yield m;
            }
            case 1 -> Arrays.copyOf(e, r.nextInt(e.length));
            case 2 -> {
                byte[] m = Arrays.copyOf(e, e.length + 1 + r.nextInt(MAX_FRAME));
                for (int i = e.length; i < m.length; i++) m[i] = (byte) r.nextInt();
                yield m;
            }
            case 3 -> {
                byte[] m = e.clone();
                m[r.nextInt(Math.min(5, m.length))] = (byte) r.nextInt();
                yield m;
            }
            default -> {
                byte[] m = e.clone();
                int at = r.nextInt(m.length);
                m[at] = (byte) (r.nextBoolean() ? 0 : 0xff);
                yield m;
            }
        };
    }

    private static byte[] noise(Random r, int length) {
        byte[] b = new byte[length];
        r.nextBytes(b);
        if (length > 2 && r.nextBoolean()) {
            b[0] = Envelope.MAGIC_0;
            b[1] = Envelope.MAGIC_1;
        }
        return b;
    }

    private static <T> T pick(Random r, T[] values) {
        return values[r.nextInt(values.length)];
    }
}
