package dev.tether.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A poll that fails in an unexpected way (here a meter filter of the application that throws) is counted in {@code
 * tether.metrics.poll.failures} and the poller keeps polling: the meters do not freeze for good.
 */
class PollFailureTest {
    private static final NodeId A = NodeId.of("a");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TetherNode node = Tether.start(TetherConfig.builder(A)
            .peers(NodeId.of("b"))
            .transport(new InMemoryNetwork().newTransport())
            .store(new InMemoryStore())
            .durability(Durability.MEMORY)
            .build());
    private TetherMetrics metrics;

    @AfterEach
    void close() {
        if (metrics != null) metrics.close();
        node.close();
    }

    /** Throws at the registrations of a meter named {@code name} while {@code left} is positive, counting down. */
    private static MeterFilter throwing(String name, AtomicInteger left) {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getName().equals(name) && left.getAndDecrement() > 0) {
                    throw new UnsupportedOperationException("the filter refuses " + name);
                }
                return id;
            }
        };
    }

    private double failures() {
        Counter c =
                registry.find("tether.metrics.poll.failures").tag("node", "a").counter();
        return c == null ? -1 : c.count();
    }

    @Test
    void aPollThatThrowsIsCountedAndThePollerKeepsPolling() {
        registry.config().meterFilter(throwing("tether.peer.connected", new AtomicInteger(1)));
        metrics = TetherMetrics.builder(A, registry)
                .refreshInterval(Duration.ofMillis(20))
                .build()
                .watch(node);
        Await.until(
                Duration.ofSeconds(30),
                () -> registry.find("tether.peer.connected").gauge() != null,
                () -> "the peer's meters registered by a later poll; failures " + failures());
        assertThat(failures()).isEqualTo(1.0);
    }

    @Test
    void aRefreshThatFailsSaysSoAndIsCounted() {
        AtomicInteger left = new AtomicInteger(Integer.MAX_VALUE);
        registry.config().meterFilter(throwing("tether.peer.connected", left));
        metrics = TetherMetrics.builder(A, registry)
                .refreshInterval(Duration.ofHours(1))
                .build()
                .watch(node);
        assertThatThrownBy(metrics::refresh)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("metrics poll of node a failed")
                .hasRootCauseMessage("the filter refuses tether.peer.connected");
        // the first poll, scheduled at once, failed too, before or after the refresh
        Await.until(Duration.ofSeconds(30), () -> failures() == 2.0, () -> "two failures, were " + failures());
        left.set(0);
        metrics.refresh();
        assertThat(registry.find("tether.peer.connected").gauge()).isNotNull();
        assertThat(failures()).isEqualTo(2.0);
    }
}
