package dev.tether.metrics.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.ChannelRole;
import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.bus.Address;
import dev.tether.bus.Endpoint;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two real nodes (in-memory transport and stores) scraped through Micrometer's Prometheus registry. */
class TetherMetricsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final AtomicLong handled = new AtomicLong();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) closing.get(i).close();
    }

    private TetherMetrics start(NodeId id, NodeId peer, TetherMetrics.Builder metricsSettings) {
        TetherMetrics metrics = metricsSettings.build();
        TetherNode node = Tether.start(TetherConfig.builder(id)
                .peers(peer)
                .transport(network.newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> handled.incrementAndGet())
                .commitObserver(metrics.commitObserver())
                .build());
        closing.add(node);
        closing.add(metrics);
        return metrics.watch(node);
    }

    private static void sendAll(TetherNode from, NodeId to, String lane, int n) throws Exception {
        List<SendReceipt> receipts = new ArrayList<>();
        for (int i = 0; i < n; i++) receipts.add(from.send(to, lane, ("m" + i).getBytes(StandardCharsets.UTF_8)));
        for (SendReceipt r : receipts) r.processed().get(30, TimeUnit.SECONDS);
    }

    /** What {@code from}'s outbound streams to {@code to} transmitted, retransmissions included (quiescent). */
    private static double sentTo(TetherNode from, NodeId to) {
        return from.stats().streams(to).stream()
                .filter(st -> st.direction() == StreamStats.Direction.OUTBOUND)
                .mapToLong(StreamStats::sent)
                .sum();
    }

    private PrometheusText scrape(TetherMetrics... refreshFirst) {
        for (TetherMetrics m : refreshFirst) m.refresh();
        return PrometheusText.parse(registry.scrape());
    }

    @Test
    void countersParseAndGrowAsTrafficFlows() throws Exception {
        TetherMetrics a = start(A, B, TetherMetrics.builder(A, registry));
        TetherMetrics b = start(B, A, TetherMetrics.builder(B, registry));
        TetherNode nodeA = (TetherNode) closing.get(0);

        sendAll(nodeA, B, "orders", 100);
        PrometheusText first = scrape(a, b);
        assertThat(first.value("tether_messages_delivered_total", "node", "b")).isEqualTo(100);
        // Transmissions, retransmissions included (a loaded machine may time some out): what a's streams counted.
        assertThat(first.value("tether_peer_messages_sent_total", "node", "a", "peer", "b", "direction", "out"))
                .isEqualTo(sentTo(nodeA, B))
                .isGreaterThanOrEqualTo(100);
        assertThat(first.value(
                        "tether_stream_delivered_total", "node", "b", "peer", "a", "lane", "orders", "direction", "in"))
                .isEqualTo(100);
        assertThat(first.value("tether_peer_connected", "node", "a", "peer", "b"))
                .isEqualTo(1);
        assertThat(first.value("tether_node_up", "node", "a")).isEqualTo(1);
        assertThat(first.value("tether_dead_letters", "node", "b")).isZero();
        assertThat(first.value("tether_dead_letters_max", "node", "b")).isEqualTo(100_000);
        assertThat(first.value("tether_dead_letters_evicted_total", "node", "b"))
                .isZero();
        double commits = first.value("tether_store_commit_seconds_count", "node", "a", "result", "ok");
        assertThat(commits).isPositive();
        assertThat(first.value("tether_store_batch_messages_sum", "node", "a")).isEqualTo(100);
        assertThat(first.types).containsEntry("tether_store_commit_seconds", "histogram");
        assertThat(first.value("tether_sends_rejected_total", "node", "a")).isZero(); // NodeStats totals
        assertThat(first.value("tether_sends_dropped_total", "node", "a")).isZero();
        assertThat(first.value("tether_sends_blocked", "node", "a")).isZero();
        assertThat(first.value("tether_publishes_rejected_total", "node", "a")).isZero();
        assertThat(first.value("tether_publishes_blocked", "node", "a")).isZero();
        assertThat(first.value("tether_history_recorded_total", "node", "a")).isZero(); // history is off
        assertThat(first.value("tether_history_entries", "node", "a")).isZero();
        assertThat(first.value("tether_frames_fenced_total", "node", "b")).isZero(); // in-memory: never fences
        assertThat(first.value("tether_frames_ignored_total", "node", "b")).isZero(); // nothing out of step

        sendAll(nodeA, B, "orders", 50);
        PrometheusText second = scrape(a, b);
        assertThat(second.value("tether_messages_delivered_total", "node", "b")).isEqualTo(150);
        assertThat(second.value("tether_store_commit_seconds_count", "node", "a", "result", "ok"))
                .isGreaterThan(commits);
        assertThat(second.value("tether_store_batch_messages_sum", "node", "a")).isEqualTo(150);
    }

    @Test
    void streamSeriesAreBoundedAndTheRestIsInThePeerTotals() throws Exception {
        TetherMetrics a = start(A, B, TetherMetrics.builder(A, registry).maxStreamSeries(3));
        start(B, A, TetherMetrics.builder(B, registry).maxStreamSeries(0));
        TetherNode nodeA = (TetherNode) closing.get(0);
        for (int lane = 0; lane < 10; lane++) sendAll(nodeA, B, "lane" + lane, 5);

        PrometheusText s = scrape(a);
        assertThat(s.samples.keySet().stream()
                        .filter(k -> k.startsWith("tether_stream_sent_total{") && k.contains("node=\"a\"")))
                .hasSize(3);
        assertThat(s.value("tether_metrics_streams_untagged", "node", "a")).isEqualTo(7);
        assertThat(s.value("tether_peer_messages_sent_total", "node", "a", "peer", "b", "direction", "out"))
                .as("the sum over all 10 streams, tagged or not")
                .isEqualTo(sentTo(nodeA, B))
                .isGreaterThanOrEqualTo(50);
        assertThat(s.value("tether_peer_streams", "node", "a", "peer", "b", "direction", "out"))
                .isEqualTo(10);
        Await.until(DEADLINE, () -> handled.get() == 50, () -> "b to handle all 50");
    }

    @Test
    void aClosedNodeReadsAsDownAndClosedMetricsLeaveNoSeries() throws Exception {
        TetherMetrics a = start(A, B, TetherMetrics.builder(A, registry));
        start(B, A, TetherMetrics.builder(B, registry));
        TetherNode nodeA = (TetherNode) closing.get(0);
        sendAll(nodeA, B, "x", 10);
        double sent = sentTo(nodeA, B);
        // The last figures are the last reading before the close (the poller's, at most an interval old): take one
        // now, else whether the peer's series exist yet depends on the poller's timing (failed once under load).
        scrape(a);
        nodeA.close();
        PrometheusText afterClose = scrape(a);
        assertThat(afterClose.value("tether_node_up", "node", "a")).isZero();
        assertThat(afterClose.value("tether_peer_messages_sent_total", "node", "a", "peer", "b", "direction", "out"))
                .as("the last figures stay")
                .isEqualTo(sent)
                .isGreaterThanOrEqualTo(10);

        a.close();
        PrometheusText afterMetricsClosed = PrometheusText.parse(registry.scrape());
        assertThat(afterMetricsClosed.samples.keySet()).noneMatch(k -> k.contains("node=\"a\""));
        assertThat(afterMetricsClosed.samples.keySet()).anyMatch(k -> k.contains("node=\"b\""));
        assertThatThrownBy(a::refresh).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void channelsAndEndpointsHaveSeriesOfTheirOwnWithinTheirLimits() throws Exception {
        TetherMetrics a = start(A, B, TetherMetrics.builder(A, registry).maxChannelSeries(2));
        TetherMetrics b = start(B, A, TetherMetrics.builder(B, registry));
        TetherNode nodeA = (TetherNode) closing.get(0);
        TetherNode nodeB = (TetherNode) closing.get(2);
        for (String ch : List.of("news", "sports", "weather"))
            nodeA.join(ch, ChannelRole.WRITE).get(10, TimeUnit.SECONDS);
        nodeB.join("news", ChannelRole.READ).get(10, TimeUnit.SECONDS);
        Await.until(DEADLINE, () -> nodeA.channelStats("news").readers() == 1, () -> "b reading a's news");
        for (int i = 0; i < 3; i++)
            nodeA.publish("news", ("n" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        Await.until(DEADLINE, () -> nodeB.channelStats("news").delivered() == 3, () -> "" + nodeB.channelStats());
        Endpoint bob = Tether.bus(nodeB).endpoint("bob", d -> {});
        for (int i = 0; i < 4; i++) {
            Tether.bus(nodeA)
                    .send(Address.of(B, "bob"), new byte[] {(byte) i})
                    .processed()
                    .get(30, TimeUnit.SECONDS);
        }

        PrometheusText s = scrape(a, b);
        assertThat(s.value("tether_channel_published_total", "node", "a", "channel", "news"))
                .isEqualTo(3);
        assertThat(s.value("tether_channel_readers", "node", "a", "channel", "news"))
                .isEqualTo(1);
        assertThat(s.value("tether_channel_member", "node", "a", "channel", "news"))
                .isEqualTo(1);
        assertThat(s.value("tether_channel_delivered_total", "node", "b", "channel", "news"))
                .isEqualTo(3);
        assertThat(s.samples.keySet().stream()
                        .filter(k -> k.startsWith("tether_channel_published_total{") && k.contains("node=\"a\"")))
                .as("two of a's three channels tagged")
                .hasSize(2);
        assertThat(s.value("tether_metrics_channels_untagged", "node", "a")).isEqualTo(1);
        assertThat(s.value("tether_endpoint_received_total", "node", "b", "endpoint", "bob"))
                .isEqualTo(4);
        assertThat(s.value("tether_endpoint_processed_total", "node", "b", "endpoint", "bob"))
                .isEqualTo(4);
        assertThat(s.value("tether_metrics_endpoints_untagged", "node", "b")).isZero();

        bob.close();
        assertThat(scrape(b).samples.keySet()).noneMatch(k -> k.contains("endpoint=\"bob\""));
        nodeA.leave("sports").get(10, TimeUnit.SECONDS);
        PrometheusText afterLeave = scrape(a); // a channel left: its series go, and the untagged one gets its own
        assertThat(afterLeave.samples.keySet()).noneMatch(k -> k.contains("channel=\"sports\""));
        assertThat(afterLeave.value("tether_channel_member", "node", "a", "channel", "weather"))
                .isEqualTo(1);
        assertThat(afterLeave.value("tether_metrics_channels_untagged", "node", "a"))
                .isZero();
    }

    @Test
    void aNodeTheBusDoesNotKnowGetsNoEndpointSeriesAndEverythingElse() throws Exception {
        TetherMetrics real = start(A, B, TetherMetrics.builder(A, registry));
        start(B, A, TetherMetrics.builder(B, registry));
        TetherNode nodeA = (TetherNode) closing.get(0);
        Tether.bus(nodeA).endpoint("alice", d -> {});
        real.close(); // a's own metrics: replaced by those of a wrapper around a
        TetherNode wrapper = (TetherNode) java.lang.reflect.Proxy.newProxyInstance(
                TetherNode.class.getClassLoader(), new Class<?>[] {TetherNode.class}, (proxy, m, args) -> {
                    try {
                        return m.invoke(nodeA, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        TetherMetrics wrapped = TetherMetrics.builder(A, registry).build().watch(wrapper);
        closing.add(wrapped);
        sendAll(nodeA, B, "x", 3);

        PrometheusText s = scrape(wrapped);
        assertThat(s.value("tether_node_up", "node", "a")).isEqualTo(1);
        assertThat(s.value("tether_peer_connected", "node", "a", "peer", "b")).isEqualTo(1);
        assertThat(s.samples.keySet()).noneMatch(k -> k.contains("endpoint=\"alice\""));
        assertThat(s.value("tether_metrics_endpoints_untagged", "node", "a")).isZero();
    }

    @Test
    void watchChecksTheNode() {
        TetherMetrics a = start(A, B, TetherMetrics.builder(A, registry));
        TetherNode nodeA = (TetherNode) closing.get(0);
        assertThatThrownBy(() -> a.watch(nodeA))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already");
        TetherMetrics other = TetherMetrics.builder(B, registry).build();
        closing.add(other);
        assertThatThrownBy(() -> other.watch(nodeA))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a");
        assertThatThrownBy(() -> TetherMetrics.builder(A, registry).maxStreamSeries(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TetherMetrics.builder(A, registry).maxChannelSeries(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxChannelSeries");
        assertThatThrownBy(() -> TetherMetrics.builder(A, registry).maxEndpointSeries(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxEndpointSeries");
    }
}
