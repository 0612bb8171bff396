package dev.tether.transport.tcp;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: a quick throughput probe. Two nodes in this JVM over TCP on loopback, in-memory stores,
 * Durability.MEMORY, 100-byte payloads, one way. Run with the test class path:
 * {@code java -cp ... dev.tether.transport.tcp.TcpThroughputProbe [messages] [rounds]}.
 */
public final class TcpThroughputProbe {
    private TcpThroughputProbe() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int r = 0; r < rounds; r++) System.out.printf("round %d: %,.0f msg/s%n", r, run(n));
    }

    private static double run(int n) throws InterruptedException {
        NodeId a = NodeId.of("a");
        NodeId b = NodeId.of("b");
        TcpTransport tb = TcpTransport.builder().build();
        CountDownLatch done = new CountDownLatch(n);
        TetherNode nb = Tether.start(TetherConfig.builder(b)
                .peers(a)
                .transport(tb)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .handler(d -> done.countDown())
                .build());
        try {
            InetSocketAddress at = tb.boundAddress();
            TcpTransport ta = TcpTransport.builder().peer(b, at).build();
            try (TetherNode na = Tether.start(TetherConfig.builder(a)
                    .peers(b)
                    .transport(ta)
                    .store(new InMemoryStore())
                    .durability(Durability.MEMORY)
                    .build())) {
                byte[] payload = new byte[100];
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) na.send(b, payload);
                if (!done.await(120, TimeUnit.SECONDS))
                    throw new IllegalStateException("timed out: " + done.getCount());
                return n / ((System.nanoTime() - start) / 1e9);
            }
        } finally {
            nb.close();
        }
    }
}
