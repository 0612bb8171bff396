package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.ChannelRole;
import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.management.NodeManagement;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dashboard's snapshots: shared between streams for a moment, then taken anew; channels included. */
class DashboardSnapshotTest {
    private final InMemoryNetwork network = new InMemoryNetwork();
    private TetherNode node;

    @AfterEach
    void close() {
        if (node != null) node.close();
    }

    @Test
    void streamsShareASnapshotForFiftyMillisecondsThenANewOneIsTaken() throws Exception {
        node = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler((Delivery d) -> {})
                .build());
        node.join("news", ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
        AtomicInteger topologies = new AtomicInteger();
        NodeManagement counting = counting(Tether.management(node), topologies);
        AtomicLong now = new AtomicLong(1_000);
        Dashboard d = new Dashboard(counting, null, now::get);

        String first = d.snapshot();
        assertThat(d.snapshot()).isSameAs(first);
        now.set(1_049);
        assertThat(d.snapshot()).as("49 ms later, another stream").isSameAs(first);
        assertThat(topologies).hasValue(1);
        now.set(1_050);
        String second = d.snapshot();
        assertThat(second).isNotSameAs(first).contains("\"at\":1050");
        assertThat(d.taken()).isEqualTo(2);
        assertThat(topologies).hasValue(2);
        now.set(900);
        assertThat(d.snapshot()).as("a clock set back takes a new one").contains("\"at\":900");
        assertThat(first).contains("\"channels\":[{\"channel\":\"news\",\"role\":\"WRITE\"");
    }

    /** {@code m}, counting the calls of {@code topology()}. */
    private static NodeManagement counting(NodeManagement m, AtomicInteger topologies) {
        return (NodeManagement) Proxy.newProxyInstance(
                NodeManagement.class.getClassLoader(), new Class<?>[] {NodeManagement.class}, (proxy, method, args) -> {
                    if (method.getName().equals("topology")) topologies.incrementAndGet();
                    try {
                        return method.invoke(m, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
