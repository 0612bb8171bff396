package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tether.NodeId;
import dev.tether.spi.Discovery;
import dev.tether.spi.Transport;
import dev.tether.transport.tcp.internal.Backoff;
import dev.tether.transport.tcp.internal.MemberExchange;
import dev.tether.transport.tcp.internal.PeerRegistry;
import dev.tether.transport.tcp.internal.TcpAddresses;
import dev.tether.transport.tcp.internal.Wire;
import dev.tether.transport.tcp.internal.WireHandler;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the real decoding pipeline ({@link WireHandler} and {@link PeerRegistry}) in Netty's {@link
 * EmbeddedChannel} with seeded valid and mutated streams, fed in random chunks. Every input must end with the
 * connection open (still waiting for bytes) or closed with one of the documented reasons; no exception may
 * escape, no frame above the limit may be delivered, valid streams deliver exactly their frames, and no buffer
 * larger than twice the input (Netty's cumulation buffer grows by doubling) is ever requested (so nothing is allocated for an announced length before it is
 * checked). {@code -Dtether.fuzz.iterations=N} sets the number of inputs, {@code -Dtether.seed=S} replays.
 */
class TcpDecoderFuzzTest {
    private static final long SEED = Long.getLong("tether.seed", System.nanoTime());
    private static final int ITERATIONS = Integer.getInteger("tether.fuzz.iterations", 200_000);
    private static final int MAX = 1024;
    private static final NodeId SELF = NodeId.of("self");
    private static final NodeId PEER = NodeId.of("p");

    /** Every reason the decoder may give; anything else (e.g. "internal error") fails the test. */
    private static final List<String> KNOWN_REASONS = List.of(
            "wrong magic",
            "unsupported transport protocol version",
            "handshake record of",
            "frame of",
            "invalid frame length",
            "expected HELLO",
            "malformed HELLO",
            "both ends claim",
            "the peer sent an invalid node id",
            "the peer claims this node's own id",
            "dialed p but the node there says it is",
            "the peer uses a pre-shared key",
            "expected ACCEPT or REJECT",
            "expected CONFIRM",
            "malformed CONFIRM",
            "malformed ACCEPT",
            "malformed REJECT",
            "refused by the peer",
            "a control record (member list) before the handshake completed",
            "control record of");

    static {
        System.out.println("TcpDecoderFuzzTest seed " + SEED + ", " + ITERATIONS + " inputs (replay with -Dtether.seed="
                + SEED + ")");
    }

    private final CheckingListener listener = new CheckingListener();
    private final PeerRegistry registry = new PeerRegistry(
            SELF,
            listener,
            null,
            new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), new Random(0)),
            Map.of(),
            List.of(),
            new MemberExchange(SELF, List::of, new EmbeddedChannel().eventLoop(), Duration.ofHours(1)),
            null);
    private final Random nonces = new Random(SEED);
    private final WireHandler.Options options = new WireHandler.Options(
            MAX,
            null,
            false,
            false,
            1 << 20,
            60_000,
            () -> {
                byte[] n = new byte[Wire.NONCE_BYTES];
                nonces.nextBytes(n);
                return n;
            },
            null);

    /** Checks what the member lists that get through report: valid ids, parseable addresses, never this node. */
    private final class MemberSink implements Discovery.Listener {
        int discovered;
        int invalid;

        @Override
        public void onDiscovered(NodeId member, List<String> addresses) {
            discovered++;
            if (member.equals(SELF)) listener.violations.add("member list reported this node itself");
            if (addresses.size() > Discovery.MAX_ADDRESSES) listener.violations.add(member + ": too many addresses");
            for (String a : addresses) {
                try {
                    TcpAddresses.parseLiteral(a);
                } catch (IllegalArgumentException e) {
                    listener.violations.add(member + ": reported an address that does not parse: " + a);
                }
            }
        }

        @Override
        public void onLost(NodeId member) {
            listener.violations.add("member list reported a loss");
        }

        @Override
        public void onInvalid(NodeId source, String reason) {
            invalid++;
            if (source == null || source.equals(SELF)) listener.violations.add("invalid input blamed on " + source);
        }
    }

    private final MemberSink members = new MemberSink();

    @Test
    void decoderSurvivesSeededValidAndMutatedStreams() {
        registry.attachDiscovery(members);
        Random random = new Random(SEED);
        WireFuzz fuzz = new WireFuzz(random, PEER.value(), MAX);
        int rejected = 0;
        int valid = 0;
        long started = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            boolean dialed = random.nextBoolean();
            WireFuzz.Input input = fuzz.next(dialed);
            Outcome outcome = feed(input.bytes(), dialed, random);
            int index = i;
            Supplier<String> what = () -> "input " + index + " (" + input.mutation() + ", seed " + SEED + ")";
            check(listener.violations.isEmpty(), () -> what.get() + " broke listener rules: " + listener.violations);
            check(
                    outcome.maxAllocation <= 2 * input.bytes().length + 1024,
                    () -> what.get() + " requested a buffer of " + outcome.maxAllocation + " bytes");
            if (outcome.reason != null) {
                rejected++;
                check(
                        KNOWN_REASONS.stream().anyMatch(outcome.reason::startsWith),
                        () -> what.get() + " rejected with an unexpected reason: " + outcome.reason);
            }
            if (input.valid()) {
                valid++;
                check(outcome.reason == null, () -> what.get() + " is valid but was rejected: " + outcome.reason);
                check(sameFrames(outcome.frames, input.frames()), () -> what.get() + " delivered other frames");
            }
        }
        System.out.println("TcpDecoderFuzzTest: " + ITERATIONS + " inputs, " + valid + " valid, " + rejected
                + " rejected, member lists: " + members.discovered + " members reported, " + members.invalid
                + " invalid entries or lists, in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        assertThat(rejected).as("the mutations are caught").isGreaterThan(ITERATIONS / 4);
        assertThat(members.discovered).as("member lists got through").isPositive();
        assertThat(members.invalid).as("mutated member lists were caught").isPositive();
    }

    @Test
    void oversizeAnnouncementIsRefusedBeforeItsBodyArrives() {
        byte[] hello = RawClient.dialerHello(PEER.value(), MAX);
        byte[] announce = ByteBuffer.allocate(hello.length + 5 + 4)
                .put(hello)
                .put(RawClient.confirm())
                .putInt(Integer.MAX_VALUE)
                .array();
        Outcome outcome = feed(announce, false, new Random(SEED));

        assertThat(outcome.reason)
                .isEqualTo("frame of 2147483647 bytes announced, above the limit of " + MAX + " bytes");
        assertThat(outcome.maxAllocation).isLessThan(4096);
    }

    private static void check(boolean ok, Supplier<String> failure) {
        if (!ok) fail(failure.get());
    }

    private static boolean sameFrames(List<byte[]> got, List<byte[]> expected) {
        if (got.size() != expected.size()) return false;
        for (int i = 0; i < got.size(); i++) {
            if (!Arrays.equals(got.get(i), expected.get(i))) return false;
        }
        return true;
    }

    /** What one input did. */
    private record Outcome(String reason, List<byte[]> frames, int maxAllocation) {}

    private Outcome feed(byte[] bytes, boolean dialed, Random random) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        listener.startInput();
        ch.pipeline().addLast(new WireHandler(registry, options, dialed, dialed ? PEER : null, null));
        int at = 0;
        while (at < bytes.length && ch.isOpen()) {
            int n = random.nextInt(4) == 0 ? bytes.length - at : Math.min(bytes.length - at, 1 + random.nextInt(48));
            ByteBuf chunk = Unpooled.wrappedBuffer(bytes, at, n);
            ch.writeInbound(chunk);
            at += n;
        }
        ch.checkException();
        ch.finishAndReleaseAll();
        ch.checkException();
        return new Outcome(listener.reason, listener.frames, alloc.max);
    }

    /** Records the largest buffer requested. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        int max;

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            max = Math.max(max, initialCapacity);
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    /** A light listener (the fuzz makes millions of calls) that checks the rules it can see. */
    private static final class CheckingListener implements Transport.Listener {
        final List<String> violations = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        String reason;
        final Set<NodeId> up = new HashSet<>();

        void startInput() {
            frames = new ArrayList<>();
            reason = null;
        }

        @Override
        public void onPeerUp(NodeId peer) {
            if (!up.add(peer)) violations.add("up of " + peer + " while up");
        }

        @Override
        public void onPeerDown(NodeId peer) {
            if (!up.remove(peer)) violations.add("down of " + peer + " while down");
        }

        @Override
        public void onFrame(NodeId from, ByteBuffer frame) {
            if (!up.contains(from)) violations.add("frame from " + from + " while down");
            if (frame.remaining() > MAX) violations.add("frame of " + frame.remaining() + " bytes");
            byte[] copy = new byte[frame.remaining()];
            frame.get(copy);
            frames.add(copy);
        }

        @Override
        public void onConnectionRejected(String remote, String why) {
            if (reason != null) violations.add("second rejection: " + why + " after " + reason);
            reason = why;
        }
    }
}
