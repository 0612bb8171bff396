package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.sim.CheckReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 7: a channel with one publisher and two readers, three node processes over TCP with SQLite files
 * (fsync), the publisher publishing without pause (paced); the publisher and the readers are SIGKILLed at seeded
 * points (after a seeded number of publishes accepted, or of messages delivered) and restarted on their files; then
 * all drain and the history of every run is checked with the channel rules: each reader gets every message published
 * after its join (its first reader row in the publisher's store), once, in order, a repeat only flagged and only
 * after a crash; nothing published is lost or reordered.
 *
 * <p>{@code -Dtether.system.channel.kills=N} sets the number of kills (default 4); {@code -Dtether.system.seed=N}
 * replays the kill schedule (which node, at which point).
 */
class ChannelKillCyclesTest {
    private static final Duration KILL_POINT_TIMEOUT = Duration.ofMinutes(2);
    private static final List<String> NODES = List.of("p", "r1", "r2");

    @Test
    void publisherAndReadersKilledAtSeededPointsOverTcp() {
        long seed = Seeds.seed("channel kill cycles over TCP");
        int kills = Math.max(3, Integer.getInteger("tether.system.channel.kills", 4));
        int pp = Ports.free();
        int p1 = Ports.free();
        int p2 = Ports.free();
        String channel = "channel=news";
        Map<String, List<String>> args = Map.of(
                "p",
                List.of(
                        "peers=r1,r2",
                        "listen=" + pp,
                        "dial=r1@127.0.0.1:" + p1 + ",r2@127.0.0.1:" + p2,
                        channel,
                        "role=WRITE",
                        "quota=-1",
                        "rate=250"),
                "r1",
                List.of("peers=p", "listen=" + p1, "dial=p@127.0.0.1:" + pp, channel, "role=READ"),
                "r2",
                List.of("peers=p", "listen=" + p2, "dial=p@127.0.0.1:" + pp, channel, "role=READ"));
        try (NodeCluster cluster = new NodeCluster("channel-kill-cycles-tcp", seed)) {
            // readers first: a JVM can take seconds to start on a busy machine, and what p publishes before a
            // reader's join reached it is owed to nobody, so it would test nothing
            for (String n : List.of("r1", "r2", "p")) cluster.start(n, args.get(n));
            Random random = new Random(seed);
            List<String> firstThree = new ArrayList<>(NODES);
            Collections.shuffle(firstThree, random);
            for (int k = 0; k < kills; k++) {
                // the first three kills take each node once, in seeded order; then any
                String victim = k < 3 ? firstThree.get(k) : NODES.get(random.nextInt(3));
                long count = 1 + random.nextInt(400);
                String point;
                if (victim.equals("p")) {
                    point = "after " + count + " more accepted";
                    long from = cluster.latest("p").accepted();
                    cluster.awaitProgress("p", pr -> pr.accepted() >= from + count, KILL_POINT_TIMEOUT);
                } else {
                    point = "after " + count + " more delivered";
                    long from = cluster.latest(victim).delivered();
                    cluster.awaitProgress(victim, pr -> pr.delivered() >= from + count, KILL_POINT_TIMEOUT);
                }
                cluster.kill(victim);
                System.out.printf("channel kill cycles seed %d: kill %d of %s %s%n", seed, k + 1, victim, point);
                cluster.start(victim, args.get(victim));
            }
            CheckReport report = cluster.finishAndCheck(kills);
            assertThat(report.totals().get("published")).isPositive();
            assertThat(report.totals().get("channelJoins")).isGreaterThanOrEqualTo(2);
        }
    }
}
