package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.sim.CheckReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Item 1: the four scenarios of the NATS-based design Tether replaces, with node processes over a real {@code
 * nats-server}. Each ends with every node drained and the history of all processes checked: nothing accepted is
 * lost, order per stream, no duplicates.
 */
class NatsScenariosTest {
    private static final Duration FLOW_TIMEOUT = Duration.ofMinutes(3);

    /** (a) Four nodes, all to all: each sends 150 messages to each of the other three. */
    @Test
    void fourNodesAllToAll() {
        long seed = Seeds.seed("nats four nodes all-to-all");
        List<String> nodes = List.of("a", "b", "c", "d");
        int quota = 150;
        try (NatsServerProcess nats = NatsServerProcess.start();
                NodeCluster cluster = new NodeCluster("nats-all-to-all", seed)) {
            for (String n : nodes) cluster.start(n, args(n, nodes, nats.url(), quota, 0));
            long each = (long) quota * (nodes.size() - 1);
            for (String n : nodes) {
                cluster.awaitProgress(n, p -> p.accepted() == each && p.delivered() == each, FLOW_TIMEOUT);
            }
            CheckReport report = cluster.finishAndCheck(0);
            assertThat(report.totals().get("processed")).isEqualTo(each * nodes.size());
        }
    }

    /**
     * (b) nats-server is SIGKILLed while a sends to b and restarted on the same port after a has accepted 150 more
     * messages; those arrive after it is back. Twice by default ({@code -Dtether.system.nats.outages=N}).
     */
    @Test
    void natsKilledMidStreamAndRestarted() {
        long seed = Seeds.seed("nats killed mid-stream");
        int outages = Math.max(1, Integer.getInteger("tether.system.nats.outages", 2));
        int quota = 300 * (outages + 1);
        try (NatsServerProcess nats = NatsServerProcess.start();
                NodeCluster cluster = new NodeCluster("nats-outage", seed)) {
            cluster.start("b", args("b", List.of("a", "b"), nats.url(), 0, 0));
            cluster.start("a", args("a", List.of("a", "b"), nats.url(), quota, 150));
            for (int i = 0; i < outages; i++) {
                long before = cluster.latest("b").delivered();
                cluster.awaitProgress("b", p -> p.delivered() >= before + 100, FLOW_TIMEOUT);
                nats.kill();
                long acceptedAtKill = cluster.latest("a").accepted();
                cluster.awaitProgress("a", p -> p.accepted() >= acceptedAtKill + 150, FLOW_TIMEOUT);
                long deliveredInOutage = cluster.latest("b").delivered();
                long acceptedInOutage = cluster.latest("a").accepted();
                nats.restart();
                System.out.printf(
                        "nats outage %d: a accepted %d before the kill, %d before the restart; b had %d then%n",
                        i + 1, acceptedAtKill, acceptedInOutage, deliveredInOutage);
                assertThat(deliveredInOutage)
                        .as("b cannot have what a accepted during the outage")
                        .isLessThan(acceptedInOutage);
            }
            cluster.awaitProgress("b", p -> p.delivered() == quota, FLOW_TIMEOUT);
            CheckReport report = cluster.finishAndCheck(0);
            assertThat(report.totals().get("processed")).isEqualTo(quota);
        }
    }

    /** (c) Nodes start and send before any nats-server exists; everything arrives once it starts. */
    @Test
    void nodesStartedBeforeNatsExists() {
        long seed = Seeds.seed("nodes before nats");
        int quota = 200;
        int port = Ports.free();
        String url = "nats://127.0.0.1:" + port;
        List<String> nodes = List.of("a", "b");
        try (NodeCluster cluster = new NodeCluster("nats-late", seed)) {
            for (String n : nodes) cluster.start(n, args(n, nodes, url, quota, 0));
            for (String n : nodes) cluster.awaitProgress(n, p -> p.accepted() == quota, FLOW_TIMEOUT);
            assertThat(cluster.latest("a").delivered() + cluster.latest("b").delivered())
                    .as("nothing can arrive without a server")
                    .isZero();
            try (NatsServerProcess nats = NatsServerProcess.builder().port(port).start()) {
                System.out.println("nodes before nats: " + nats + " started after both nodes accepted " + quota);
                for (String n : nodes) cluster.awaitProgress(n, p -> p.delivered() == quota, FLOW_TIMEOUT);
                CheckReport report = cluster.finishAndCheck(0);
                assertThat(report.totals().get("processed")).isEqualTo(2L * quota);
            }
        }
    }

    /** (d) 1,000 messages from a to b arrive complete and in order (the checker checks order and gaps). */
    @Test
    void thousandMessagesArriveCompleteAndInOrder() {
        long seed = Seeds.seed("nats 1000 in order");
        int quota = 1_000;
        try (NatsServerProcess nats = NatsServerProcess.start();
                NodeCluster cluster = new NodeCluster("nats-thousand", seed)) {
            cluster.start("b", args("b", List.of("a", "b"), nats.url(), 0, 0));
            cluster.start("a", args("a", List.of("a", "b"), nats.url(), quota, 0));
            cluster.awaitProgress("b", p -> p.delivered() == quota, FLOW_TIMEOUT);
            CheckReport report = cluster.finishAndCheck(0);
            assertThat(report.totals().get("processed")).isEqualTo(quota);
            assertThat(report.totals().get("delivered")).isEqualTo(quota);
        }
    }

    static List<String> args(String self, List<String> nodes, String urls, int quota, int rate) {
        List<String> peers = new ArrayList<>(nodes);
        peers.remove(self);
        return List.of("peers=" + String.join(",", peers), "nats=" + urls, "quota=" + quota, "rate=" + rate);
    }
}
