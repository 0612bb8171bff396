package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.sim.CheckReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Item 2: two node processes over TCP, each sending to the other without pause (paced), one of them SIGKILLed at
 * a seeded point (at start-up, or after a seeded number of its messages were accepted or delivered) and
 * restarted on the same SQLite file, many times; then both drain and the history of every run is checked:
 * nothing accepted is lost, order per stream, no unflagged duplicate, sequence numbers continue across runs.
 * The same over a real nats-server, with fewer kills, and over Unix domain sockets.
 *
 * <p>{@code -Dtether.system.kills=N} sets the number of kills over TCP (default 8), {@code
 * -Dtether.system.nats.kills=N} over NATS (default 4), {@code -Dtether.system.uds.kills=N} over Unix domain sockets
 * (default 6); {@code -Dtether.system.seed=N}
 * replays the kill schedule (which node, at which point; thread interleavings inside the processes are not
 * seeded).
 */
class KillCyclesTest {
    private static final Duration KILL_POINT_TIMEOUT = Duration.ofMinutes(2);

    @Test
    void senderAndReceiverKilledAtSeededPointsOverTcp() {
        long seed = Seeds.seed("kill cycles over TCP");
        int kills = Math.max(2, Integer.getInteger("tether.system.kills", 8));
        int portA = Ports.free();
        int portB = Ports.free();
        List<String> a = List.of("peers=b", "listen=" + portA, "dial=b@127.0.0.1:" + portB, "quota=-1", "rate=250");
        List<String> b = List.of("peers=a", "listen=" + portB, "dial=a@127.0.0.1:" + portA, "quota=-1", "rate=250");
        try (NodeCluster cluster = new NodeCluster("kill-cycles-tcp", seed)) {
            killCycles(cluster, new Random(seed), seed, kills, a, b);
        }
    }

    @Test
    void senderAndReceiverKilledAtSeededPointsOverNats() {
        long seed = Seeds.seed("kill cycles over NATS");
        int kills = Math.max(2, Integer.getInteger("tether.system.nats.kills", 4));
        try (NatsServerProcess nats = NatsServerProcess.start();
                NodeCluster cluster = new NodeCluster("kill-cycles-nats", seed)) {
            List<String> a = List.of("peers=b", "nats=" + nats.url(), "quota=-1", "rate=250");
            List<String> b = List.of("peers=a", "nats=" + nats.url(), "quota=-1", "rate=250");
            killCycles(cluster, new Random(seed), seed, kills, a, b);
        }
    }

    /**
     * Endpoints of two processes (issue 11 item 1): each node has 4 durable endpoints and sends from each of them to
     * each of the other node's over TCP (docs/MESSAGING.md, "Endpoints"); one of the two is SIGKILLed at seeded points
     * and restarted, registering its endpoints again after it started, so messages that reach it first wait for them.
     * Every message is processed once and in order per stream (sending node, receiving endpoint), so per endpoint pair;
     * an endpoint handed a message for another endpoint, or from another sender, records an anomaly. {@code
     * -Dtether.system.endpoint.kills=N} (default 6).
     */
    @Test
    void endpointsOfTwoProcessesKilledAtSeededPointsOverTcp() {
        long seed = Seeds.seed("endpoint kill cycles over TCP");
        int kills = Math.max(2, Integer.getInteger("tether.system.endpoint.kills", 6));
        int portA = Ports.free();
        int portB = Ports.free();
        List<String> a =
                List.of("peers=b", "listen=" + portA, "dial=b@127.0.0.1:" + portB, "quota=-1", "rate=250", "agents=4");
        List<String> b =
                List.of("peers=a", "listen=" + portB, "dial=a@127.0.0.1:" + portA, "quota=-1", "rate=250", "agents=4");
        try (NodeCluster cluster = new NodeCluster("kill-cycles-endpoints", seed)) {
            killCycles(cluster, new Random(seed), seed, kills, a, b);
        }
    }

    /**
     * The same over Unix domain sockets (docs/UDS.md): each kill leaves the victim's socket file behind, stale, and
     * the restarted process must replace it and be dialed again through it.
     */
    @Test
    void senderAndReceiverKilledAtSeededPointsOverUds() throws IOException {
        long seed = Seeds.seed("kill cycles over UDS");
        int kills = Math.max(2, Integer.getInteger("tether.system.uds.kills", 6));
        // sockets in a short directory of their own: the build directory's path may be too long for sun_path
        Path sockets = Files.createTempDirectory("tether-uds");
        String sa = sockets.resolve("a.sock").toString();
        String sb = sockets.resolve("b.sock").toString();
        List<String> a = List.of("peers=b", "uds=" + sa, "dial=b@" + sb, "quota=-1", "rate=250");
        List<String> b = List.of("peers=a", "uds=" + sb, "dial=a@" + sa, "quota=-1", "rate=250");
        try (NodeCluster cluster = new NodeCluster("kill-cycles-uds", seed)) {
            killCycles(cluster, new Random(seed), seed, kills, a, b);
        } finally {
            for (String s : List.of(sa, sb)) Files.deleteIfExists(Path.of(s));
            Files.deleteIfExists(sockets);
        }
    }

    private static void killCycles(
            NodeCluster cluster, Random random, long seed, int kills, List<String> a, List<String> b) {
        cluster.start("a", a);
        cluster.start("b", b);
        // Each node both sends and receives; the first two kills take one each (in seeded order), so the
        // sender and the receiver of every stream die at least once.
        String first = random.nextBoolean() ? "a" : "b";
        for (int k = 0; k < kills; k++) {
            String victim = k == 0 ? first : k == 1 ? other(first) : random.nextBoolean() ? "a" : "b";
            int r = random.nextInt(10);
            long count = 1 + random.nextInt(500);
            String point;
            if (r == 0) {
                point = "at once";
            } else if (r < 5) {
                point = "after " + count + " accepted";
                cluster.awaitProgress(victim, p -> p.accepted() >= count, KILL_POINT_TIMEOUT);
            } else {
                point = "after " + count + " delivered";
                cluster.awaitProgress(victim, p -> p.delivered() >= count, KILL_POINT_TIMEOUT);
            }
            cluster.kill(victim);
            System.out.printf("kill cycles seed %d: kill %d of %s %s%n", seed, k + 1, victim, point);
            cluster.start(victim, victim.equals("a") ? a : b);
        }
        CheckReport report = cluster.finishAndCheck(kills);
        assertThat(report.totals().get("processed")).isPositive();
    }

    private static String other(String node) {
        return node.equals("a") ? "b" : "a";
    }
}
