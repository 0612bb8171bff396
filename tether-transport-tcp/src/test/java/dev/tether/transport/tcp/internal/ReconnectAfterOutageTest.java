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
 * Issue 14 item 5: however long a peer was away, this node redials it within one backoff step of its return, the
 * step being at most {@code reconnect}'s {@code max} (default {@link Backoff#DEFAULT_MAX}). Time is simulated: the
 * registry runs on a Netty {@link EmbeddedChannel}'s event loop with frozen time, which the test advances; the dialer
 * is a stub whose dials fail at once while the peer is down (a refused connect) and stay open once it is back.
 */
class ReconnectAfterOutageTest {
    private static final NodeId SELF = NodeId.of("a");
    private static final NodeId PEER = NodeId.of("b");
    private static final long STEP_MILLIS = 5;

    /** The simulated clock: the event loop the registry schedules its redials on; a new one per scenario. */
    private FrozenLoop clock;

    private boolean peerUp;
    private final List<Long> dials = new ArrayList<>();
    private long connectedAt = -1;

    @Test
    void aPeerDownForSixtySimulatedSecondsIsRedialedWithinOneBackoffStepOfItsReturn() {
        for (long seed = 1; seed <= 20; seed++) {
            long waited = outageThenReturn(seed, Duration.ofSeconds(60), Backoff.DEFAULT_MIN, Backoff.DEFAULT_MAX);
            assertThat(waited)
                    .as("seed %d: ms from the peer's return to the redial that reached it", seed)
                    .isLessThanOrEqualTo(Backoff.DEFAULT_MAX.toMillis());
        }
    }

    @Test
    void theWaitAfterAnOutageIsBoundedByMaxNotByTheOutagesLength() {
        Duration max = Duration.ofMillis(300);
        for (Duration outage : List.of(Duration.ofSeconds(1), Duration.ofMinutes(10))) {
            long waited = outageThenReturn(7, outage, Duration.ofMillis(10), max);
            assertThat(waited).as("after an outage of %s", outage).isLessThanOrEqualTo(max.toMillis());
        }
    }

    @Test
    void dialsToAPeerThatIsDownAreSpacedByTheBackoffNotAStorm() {
        outageThenReturn(3, Duration.ofSeconds(60), Backoff.DEFAULT_MIN, Backoff.DEFAULT_MAX);
        List<Long> whileDown = dials.stream().filter(t -> t < 60_000).toList();
        // At most one dial per half of max once the delays reached it, plus the doublings before that.
        assertThat(whileDown.size()).isBetween(60, 60_000 / (int) (Backoff.DEFAULT_MAX.toMillis() / 2) + 10);
        for (int i = 1; i < whileDown.size(); i++) {
            assertThat(whileDown.get(i) - whileDown.get(i - 1))
                    .as("gap between dials %d and %d", i - 1, i)
                    .isLessThanOrEqualTo(Backoff.DEFAULT_MAX.toMillis() + STEP_MILLIS);
        }
    }

    /**
     * Starts a registry dialing {@code PEER}, keeps the peer down for {@code outage} of simulated time, brings it
     * back, and returns the simulated milliseconds from its return to the dial that reached it.
     */
    private long outageThenReturn(long seed, Duration outage, Duration min, Duration max) {
        reset();
        PeerRegistry registry = new PeerRegistry(
                SELF,
                FrozenLoop.silentListener(),
                clock.eventLoop(),
                new Backoff(min, max, new Random(seed)),
                Map.of(PEER, new InetSocketAddress("127.0.0.1", 7002)),
                List.of(),
                new MemberExchange(SELF, List::of, clock.eventLoop(), Duration.ofMinutes(1)),
                this::dial);
        registry.start();
        clock.advance(outage.toMillis());
        assertThat(connectedAt).as("connected while the peer was down").isEqualTo(-1);
        long returnedAt = clock.nowMillis();
        peerUp = true;
        clock.advance(max.toMillis() * 3);
        assertThat(connectedAt)
                .as("seed %d: the peer was never redialed after its return", seed)
                .isNotNegative();
        return connectedAt - returnedAt;
    }

    private void reset() {
        clock = new FrozenLoop(STEP_MILLIS);
        peerUp = false;
        dials.clear();
        connectedAt = -1;
    }

    /** The stub dialer: a refused connect closes at once; a reachable peer's connection stays open. */
    private Channel dial(NodeId peer, java.net.SocketAddress address) {
        dials.add(clock.nowMillis());
        EmbeddedChannel ch = new EmbeddedChannel();
        if (peerUp) {
            if (connectedAt < 0) connectedAt = clock.nowMillis();
        } else {
            ch.close();
        }
        return ch;
    }
}
