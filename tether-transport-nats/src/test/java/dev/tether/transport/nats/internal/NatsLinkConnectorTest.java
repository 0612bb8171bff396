package dev.tether.transport.nats.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.testkit.Await;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The connect thread reports whatever stops it from connecting and keeps trying; nothing escapes it as an uncaught
 * exception. Settings the builder would refuse (a server URL jnats cannot parse) reach it here directly.
 */
class NatsLinkConnectorTest {
    @Test
    void settingsJnatsRefusesAreReportedAsAFailedConnectAndNothingEscapesTheThread() {
        List<Throwable> escaped = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> escaped.add(e));
        NatsLink link = new NatsLink(settings("nats://host:notaport"));
        try {
            link.start(NodeId.of("a"), new Quiet());
            Await.until(
                    Duration.ofSeconds(10),
                    () -> link.lastConnectError() != null || !escaped.isEmpty(),
                    () -> "the failure was reported (logged as a failed connect) or escaped");
            assertThat(escaped).isEmpty();
            assertThat(link.lastConnectError()).contains("Unable to parse URI string");
            assertThat(link.connectorAlive())
                    .as("the connect thread keeps trying")
                    .isTrue();
        } finally {
            link.close();
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    private static NatsSettings settings(String server) {
        return new NatsSettings(
                List.of(server),
                "tether",
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                Duration.ofSeconds(1),
                Duration.ofSeconds(3),
                1 << 20,
                Duration.ofMillis(50),
                Duration.ofSeconds(5),
                Duration.ofSeconds(2));
    }

    private static final class Quiet implements Transport.Listener {
        @Override
        public void onPeerUp(NodeId peer) {}

        @Override
        public void onPeerDown(NodeId peer) {}

        @Override
        public void onFrame(NodeId from, ByteBuffer frame) {}
    }
}
