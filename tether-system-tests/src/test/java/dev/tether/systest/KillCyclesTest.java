package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.sim.CheckReport;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Item 2: two node processes over TCP, each sending to the other without pause (paced), one of them SIGKILLed at
 * a seeded point (at start-up, or after a seeded number of its messages were accepted or delivered) and
 * restarted on the same SQLite file, many times; then both drain and the history of every run is checked:
 * nothing accepted is lost, order per stream, no unflagged duplicate, sequence numbers continue across runs.
 * The same over a real nats-server, with fewer kills.
 *
 * <p>{@code -Dtether.system.kills=N} sets the number of kills over TCP (default 8), {@code
 * -Dtether.system.nats.kills=N} over NATS (default 4); {@code -Dtether.system.seed=N}
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
