package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.fixtures.NatsCluster;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.Await;
import dev.tether.testkit.sim.CheckReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Item 4: a three-server NATS cluster (routes on loopback); nodes a and b, each configured with all three URLs,
 * send 900 messages each to the other; mid-stream the server a is attached to is SIGKILLed and stays dead. a
 * reattaches to another server and delivery completes in both directions, nothing lost, order kept.
 */
class NatsClusterFailoverTest {
    private static final Duration FLOW_TIMEOUT = Duration.ofMinutes(3);
    private static final int QUOTA = 900;

    @Test
    void killingTheServerANodeIsAttachedToLosesNothing() {
        long seed = Seeds.seed("nats cluster failover");
        try (NatsCluster nats = NatsCluster.start();
                NodeCluster cluster = new NodeCluster("nats-cluster", seed)) {
            String urls = String.join(",", nats.urls());
            List<String> nodes = List.of("a", "b");
            cluster.start("a", NatsScenariosTest.args("a", nodes, urls, QUOTA, 150));
            cluster.start("b", NatsScenariosTest.args("b", nodes, urls, QUOTA, 150));
            cluster.awaitProgress("b", p -> p.delivered() >= 150, FLOW_TIMEOUT);
            NatsServerProcess attached = serverOf(nats, "a");
            attached.kill();
            System.out.println("nats cluster failover: killed " + attached + " (a's server) after b had "
                    + cluster.latest("b").delivered() + " of " + QUOTA);
            for (String n : nodes) cluster.awaitProgress(n, p -> p.delivered() == QUOTA, FLOW_TIMEOUT);
            assertThat(attached.isRunning()).isFalse();
            NatsServerProcess now = serverOf(nats, "a");
            assertThat(now).as("a reattached elsewhere").isNotSameAs(attached);
            CheckReport report = cluster.finishAndCheck(0);
            assertThat(report.totals().get("processed")).isEqualTo(2L * QUOTA);
        }
    }

    /** The running server that has a client connection named {@code tether-<node>}, waiting for one to appear. */
    private static NatsServerProcess serverOf(NatsCluster nats, String node) {
        NatsServerProcess[] found = new NatsServerProcess[1];
        Await.until(
                Duration.ofMinutes(1),
                () -> {
                    for (NatsServerProcess s : nats.servers()) {
                        if (s.isRunning() && connz(s).contains("\"tether-" + node + "\"")) {
                            found[0] = s;
                            return true;
                        }
                    }
                    return false;
                },
                () -> "a server with a connection of node " + node);
        return found[0];
    }

    private static String connz(NatsServerProcess s) {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + s.monitorPort() + "/connz");
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return ""; // a server that just died or is not listening yet has no connections
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
