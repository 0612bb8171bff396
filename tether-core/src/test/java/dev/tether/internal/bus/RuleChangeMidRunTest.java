package dev.tether.internal.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.bus.Action;
import dev.tether.bus.Address;
import dev.tether.bus.Bus;
import dev.tether.bus.Endpoint;
import dev.tether.bus.Match;
import dev.tether.bus.Rule;
import dev.tether.bus.TextPattern;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A routing rule changed while a delivery run of one stream is under way applies to the run's next message (a run
 * routes with a memo of its stream's endpoint, docs/MESSAGING.md "Routing rules", "Changes at run time": a message
 * routed after the change returns uses it). Endpoint {@code in} receives a burst held in one run (its first message
 * waits until every send was queued); its handler adds a rule diverting {@code in}'s messages to {@code other} at
 * message k, and {@code other}'s handler removes it at message j (k and j seeded): {@code in} gets exactly 0..k and
 * j+1.., {@code other} k+1..j.
 */
class RuleChangeMidRunTest {
    private static final NodeId A = NodeId.of("a");
    private static final int N = 40;
    private static final long WAIT_SECONDS = 30;

    @Test
    void aRuleAddedOrRemovedMidRunAppliesToTheNextMessage() throws Exception {
        long seed = System.nanoTime();
        System.out.println("RuleChangeMidRunTest seed " + seed);
        Random random = new Random(seed);
        int k = 1 + random.nextInt(N / 2);
        int j = k + 1 + random.nextInt(N - k - 3);
        Rule divert = Rule.named("divert")
                .match(Match.any().recipient(TextPattern.exact("in")))
                .action(Action.deliverToAgent("other"));
        CountDownLatch allSent = new CountDownLatch(1);
        LinkedBlockingQueue<Long> atIn = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Long> atOther = new LinkedBlockingQueue<>();
        try (TetherNode a = Tether.start(TetherConfig.builder(A)
                .transport(new InMemoryNetwork().newTransport())
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .build())) {
            Bus bus = Tether.bus(a);
            bus.endpoint("in", d -> {
                long i = ByteBuffer.wrap(d.payloadBytes()).getLong();
                if (i == 0)
                    assertThat(allSent.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue(); // the rest queue up
                atIn.add(i);
                if (i == k) bus.rules().add(divert);
            });
            bus.endpoint("other", d -> {
                long i = ByteBuffer.wrap(d.payloadBytes()).getLong();
                atOther.add(i);
                if (i == j) assertThat(bus.rules().remove("divert")).isTrue();
            });
            Endpoint src = bus.endpoint("src", d -> {});
            List<SendReceipt> receipts = new ArrayList<>();
            for (long i = 0; i < N; i++) {
                receipts.add(src.send(
                        Address.of(A, "in"), ByteBuffer.allocate(8).putLong(i).array()));
            }
            allSent.countDown();
            for (SendReceipt r : receipts) r.processed().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        List<Long> expectedAtIn =
                new ArrayList<>(LongStream.rangeClosed(0, k).boxed().toList());
        expectedAtIn.addAll(LongStream.range(j + 1, N).boxed().toList());
        assertThat(new ArrayList<>(atIn)).as("seed %d, k %d, j %d", seed, k, j).isEqualTo(expectedAtIn);
        assertThat(new ArrayList<>(atOther))
                .as("seed %d, k %d, j %d", seed, k, j)
                .isEqualTo(LongStream.rangeClosed(k + 1, j).boxed().toList());
    }
}
