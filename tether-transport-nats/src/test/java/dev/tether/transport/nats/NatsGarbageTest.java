package dev.tether.transport.nats;

import static dev.tether.transport.nats.NatsNodes.numbered;
import static dev.tether.transport.nats.NatsNodes.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.Await;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A foreign connection publishes garbage onto the transport's subjects while two nodes exchange messages: noise,
 * oversize messages, valid envelopes on the wrong subject, and frames with made-up link ids. The nodes keep
 * delivering everything in order; every invalid message is counted exactly once on each node that received it and
 * accounted for in its {@link TetherEvent.ConnectionRejected} events, which are rate-limited: far fewer events than
 * rejections, and their count plus their {@code suppressed} counts is every rejection. Frames with unknown links
 * are fenced, not reported.
 */
class NatsGarbageTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int MAX_FRAME = 128 * 1024;
    private static final int MESSAGES = 2000;

    @Test
    void garbageOnTheSubjectsIsCountedAndGoodTrafficContinues() throws Exception {
        long seed = Long.getLong("tether.seed", System.nanoTime());
        System.out.println("NatsGarbageTest seed " + seed + " (replay: -Dtether.seed=" + seed + ")");
        Random random = new Random(seed);
        try (NatsServerProcess server = NatsServerProcess.start();
                NatsNodes c = new NatsNodes("junk", "a", "b").transports(t -> t.maxFrameBytes(MAX_FRAME))) {
            Connection junk =
                    Nats.connect(Options.builder().server(server.url()).build());
            try {
                exchangeAmidGarbage(c, junk, random);
            } finally {
                junk.close();
            }
        }
    }

    private void exchangeAmidGarbage(NatsNodes c, Connection junk, Random random) throws Exception {
        String url = junk.getConnectedUrl();
        TetherNode a = c.start("a", List.of(url));
        TetherNode b = c.start("b", List.of(url));
        Await.until(DEADLINE, () -> c.connected("a", "b"), () -> "a and b connected");

        long[] invalid = new long[2]; // expected rejections at a and at b
        for (int i = 0; i < MESSAGES; i++) {
            a.send(NodeId.of("b"), utf8("ab" + i));
            b.send(NodeId.of("a"), utf8("ba" + i));
            publishGarbage(junk, random, invalid);
        }
        junk.flush(DEADLINE);

        Await.until(
                DEADLINE,
                () -> c.seen("a").size() >= MESSAGES && c.seen("b").size() >= MESSAGES,
                () -> "good traffic: " + c.seen("a").size() + " / "
                        + c.seen("b").size());
        assertThat(c.payloads("b", "a", "default")).containsExactlyElementsOf(numbered("ab", 0, MESSAGES));
        assertThat(c.payloads("a", "b", "default")).containsExactlyElementsOf(numbered("ba", 0, MESSAGES));
        Await.until(
                DEADLINE,
                () -> c.transport("a").rejectedMessages() == invalid[0]
                        && c.transport("b").rejectedMessages() == invalid[1],
                () -> "rejections a " + c.transport("a").rejectedMessages() + "/" + invalid[0] + ", b "
                        + c.transport("b").rejectedMessages() + "/" + invalid[1]);
        Await.until(
                DEADLINE,
                () -> a.stats().connectionsRejected() == invalid[0] && b.stats().connectionsRejected() == invalid[1],
                () -> "node counters " + a.stats().connectionsRejected() + " / "
                        + b.stats().connectionsRejected());
        Await.until(
                DEADLINE,
                () -> reportedRejections(c, "b") == invalid[1],
                () -> "rejections accounted for in b's events: " + reportedRejections(c, "b") + "/" + invalid[1]);
        assertThat(c.events("b"))
                .filteredOn(TetherEvent.ConnectionRejected.class::isInstance)
                .as("events are rate-limited")
                .hasSizeLessThan((int) invalid[1]);
        assertThat(c.transport("b").fencedFrames()).as("made-up links fenced").isPositive();
        assertThat(a.stats().protocolErrors()).as("nothing reached the engines").isZero();
        assertThat(b.stats().protocolErrors()).isZero();
        assertThat(c.connected("a", "b")).isTrue();
    }

    /** The ConnectionRejected events of node {@code name} plus the rejections they say were held back. */
    private static long reportedRejections(NatsNodes c, String name) {
        return c.events(name).stream()
                .filter(TetherEvent.ConnectionRejected.class::isInstance)
                .mapToLong(e -> 1 + ((TetherEvent.ConnectionRejected) e).suppressed())
                .sum();
    }

    /** Publishes one piece of garbage and counts where it must be rejected. */
    private static void publishGarbage(Connection junk, Random r, long[] invalid) {
        String presence = "junk.presence.j"; // subjects end with their sender's id: here "j"
        String inboxA = "junk.to.a.j";
        String inboxB = "junk.to.b.j";
        switch (r.nextInt(7)) {
            case 0 -> { // noise on presence: both nodes reject it
                junk.publish(presence, noise(r, r.nextInt(200)));
                invalid[0]++;
                invalid[1]++;
            }
            case 1 -> { // noise in b's inbox
                junk.publish(inboxB, noise(r, r.nextInt(200)));
                invalid[1]++;
            }
            case 2 -> { // larger than maxFrameBytes plus the envelope, but within the server's max_payload
                junk.publish(inboxA, noise(r, MAX_FRAME + NatsTransport.MAX_ENVELOPE_BYTES + 1 + r.nextInt(1000)));
                invalid[0]++;
            }
            case 3 -> { // a well-formed frame from "a" on a's subject with made-up link ids: fenced, not rejected
                byte[] frame = new byte[r.nextInt(100)];
                r.nextBytes(frame);
                junk.publish(
                        "junk.to.b.a", envelope(1, "a", r.nextLong() | 1, r.nextLong() | 1, r.nextLong() | 1, frame));
            }
            case 4 -> { // a HELLO on the presence subject: the wrong subject for its kind
                junk.publish("junk.presence.x", envelope(3, "x", 5, 6, 0, new byte[0]));
                invalid[0]++;
                invalid[1]++;
            }
            case 5 -> { // a well-formed HELLO claiming "a" on j's subject: a forged sender
                junk.publish(inboxB, envelope(3, "a", r.nextLong() | 1, r.nextLong() | 1, 0, new byte[0]));
                invalid[1]++;
            }
            default -> { // a truncated header in a's inbox
                byte[] e = envelope(1, "b", 1, 2, 3, new byte[0]);
                junk.publish("junk.to.a.b", java.util.Arrays.copyOf(e, 1 + r.nextInt(e.length - 1)));
                invalid[0]++;
            }
        }
    }

    /** An envelope as docs/NATS.md describes it. */
    private static byte[] envelope(int kind, String from, long conn, long fromLink, long toLink, byte[] frame) {
        ByteBuffer b = ByteBuffer.allocate(5 + from.length() + 24 + frame.length);
        b.put((byte) 'T').put((byte) 'N').put((byte) 1).put((byte) kind).put((byte) from.length());
        b.put(from.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putLong(conn).putLong(fromLink).putLong(toLink).put(frame);
        return b.array();
    }

    private static byte[] noise(Random r, int length) {
        byte[] b = new byte[length];
        r.nextBytes(b);
        return b;
    }
}
