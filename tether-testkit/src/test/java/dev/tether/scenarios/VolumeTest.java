package dev.tether.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.testkit.Await;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** 100,000 messages each way at once, checked for order and completeness by sequence number and payload. */
class VolumeTest {
    private static final int N = 100_000;

    @Test
    void hundredThousandMessagesEachWayConcurrentlyAllInOrder() throws Exception {
        AtomicLong[] next = {new AtomicLong(), new AtomicLong()};
        AtomicReference<String> error = new AtomicReference<>();
        try (Cluster c = new Cluster("a", "b")) {
            TetherNode a = c.start("a", cfg -> cfg.handler(d -> check(d.payload(), next[0], error)));
            TetherNode b = c.start("b", cfg -> cfg.handler(d -> check(d.payload(), next[1], error)));
            Thread ta = new Thread(() -> sendAll(a, NodeId.of("b")));
            Thread tb = new Thread(() -> sendAll(b, NodeId.of("a")));
            ta.start();
            tb.start();
            ta.join();
            tb.join();
            Await.until(
                    Duration.ofSeconds(120),
                    () -> error.get() != null || (next[0].get() == N && next[1].get() == N),
                    () -> "100k each way: " + next[0].get() + " / " + next[1].get());
            assertThat(error.get()).isNull();
            assertThat(next[0].get()).isEqualTo(N);
            assertThat(next[1].get()).isEqualTo(N);
        }
    }

    private static void sendAll(TetherNode node, NodeId to) {
        for (long i = 0; i < N; i++)
            node.send(to, ByteBuffer.allocate(100).putLong(0, i).array());
    }

    private static void check(ByteBuffer payload, AtomicLong next, AtomicReference<String> error) {
        long got = payload.getLong(0);
        long want = next.get();
        if (got != want) error.compareAndSet(null, "expected message " + want + " but got " + got);
        else next.incrementAndGet();
    }
}
