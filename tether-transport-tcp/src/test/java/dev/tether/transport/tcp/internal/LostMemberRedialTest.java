package dev.tether.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A member learnt from member lists and reported lost is redialed at the slow lost-member interval, not every
 * second forever; relearning it (the node's {@code connect}) brings the usual backoff back; configured peers are
 * never slowed down. Simulated time on an {@link EmbeddedChannel}'s event loop, as in {@link
 * ReconnectAfterOutageTest}; every dial is refused (the member is gone).
 */
class LostMemberRedialTest {
    private static final NodeId SELF = NodeId.of("a");
    private static final NodeId MEMBER = NodeId.of("m");
    private static final NodeId CONFIGURED = NodeId.of("c");
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 7003);
    private static final long STEP_MILLIS = 10;
    private static final Duration LOST = Duration.ofSeconds(30);

    private FrozenLoop clock;
    private final List<Long> memberDials = new ArrayList<>();
    private final List<Long> configuredDials = new ArrayList<>();

    @Test
    void aLostMemberIsRedialedAtTheLostIntervalUntilItIsLearntAgain() {
        for (long seed = 1; seed <= 10; seed++) {
            PeerRegistry registry = start(seed);
            registry.connect(MEMBER, List.of(ADDRESS)); // learnt from a member list: the node connects
            clock.advance(10_000);
            assertThat(dialsBetween(5_000, 10_000))
                    .as("seed %d: usual backoff", seed)
                    .isGreaterThanOrEqualTo(5);

            registry.memberLost(MEMBER);
            assertThat(registry.redialsSlowly(MEMBER)).isTrue();
            long lostAt = clock.nowMillis();
            clock.advance(300_000);
            // One dial may still be scheduled at the usual pace; after it, one per 15-30 s.
            List<Long> slow =
                    memberDials.stream().filter(t -> t > lostAt + 1_100).toList();
            assertThat(slow.size())
                    .as("seed %d: dials in 5 minutes once lost", seed)
                    .isBetween(10, 21);
            for (int i = 1; i < slow.size(); i++) {
                assertThat(slow.get(i) - slow.get(i - 1))
                        .as("seed %d: gap between slow dials", seed)
                        .isBetween(LOST.toMillis() / 2 - STEP_MILLIS, LOST.toMillis() + STEP_MILLIS);
            }

            registry.connect(MEMBER, List.of(ADDRESS)); // named again by a member list
            assertThat(registry.redialsSlowly(MEMBER)).isFalse();
            long relearntAt = clock.nowMillis();
            clock.advance(10_000);
            assertThat(dialsBetween(relearntAt, relearntAt + 10_000))
                    .as("seed %d: usual backoff again", seed)
                    .isGreaterThanOrEqualTo(10);
            registry.shutdown();
        }
    }

    @Test
    void aConfiguredPeerIsNeverSlowedDown() {
        PeerRegistry registry = start(5);
        registry.memberLost(CONFIGURED);
        assertThat(registry.redialsSlowly(CONFIGURED)).isFalse();
        clock.advance(60_000);
        List<Long> late = configuredDials.stream().filter(t -> t > 30_000).toList();
        assertThat(late.size()).isGreaterThanOrEqualTo(30); // at most 1 s apart (Backoff.DEFAULT_MAX)
        registry.shutdown();
    }

    @Test
    void aMemberLostWhileUnknownToTheDialerChangesNothing() {
        PeerRegistry registry = start(9);
        registry.memberLost(MEMBER); // never connected to: nothing to slow down
        assertThat(registry.redialsSlowly(MEMBER)).isFalse();
        registry.shutdown();
    }

    private PeerRegistry start(long seed) {
        clock = new FrozenLoop(STEP_MILLIS);
        memberDials.clear();
        configuredDials.clear();
        PeerRegistry registry = new PeerRegistry(
                SELF,
                FrozenLoop.silentListener(),
                clock.eventLoop(),
                new Backoff(Backoff.DEFAULT_MIN, Backoff.DEFAULT_MAX, LOST, new Random(seed)),
                Map.of(CONFIGURED, new InetSocketAddress("127.0.0.1", 7004)),
                List.of(),
                new MemberExchange(SELF, List::of, clock.eventLoop(), Duration.ofMinutes(1)),
                this::dial);
        registry.start();
        return registry;
    }

    private long dialsBetween(long from, long to) {
        return memberDials.stream().filter(t -> t >= from && t <= to).count();
    }

    /** Every dial is refused: the channel closes at once. */
    private Channel dial(NodeId peer, java.net.SocketAddress address) {
        (peer.equals(MEMBER) ? memberDials : configuredDials).add(clock.nowMillis());
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.close();
        return ch;
    }
}
