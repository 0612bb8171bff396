package dev.tether.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.testkit.Await;
import dev.tether.testkit.net.TcpProxy;
import dev.tether.testkit.process.ChildJvm;
import dev.tether.transport.tcp.TcpTransport;
import java.io.File;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Compression between real nodes over TCP (docs/MESSAGING.md, "Compression"): node {@code z} here compresses with LZ4;
 * its peer {@code p} runs in a child JVM, first without this module on its class path, then with it (compressing too),
 * then without it again, each time a new process on a new connection. Every message arrives intact in both
 * directions; the bytes through a proxy on the connection show which connections compressed.
 */
class CompressionInteropTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int COUNT = 20;
    private static final long PLAIN_BYTES = (long) COUNT * Payloads.SIZE;

    private final Map<Integer, Boolean> fromP = new ConcurrentHashMap<>();
    private final AtomicReference<InetSocketAddress> pAddress = new AtomicReference<>();

    @Test
    void aPeerWithoutTheModuleInteroperatesInBothDirectionsAcrossReconnectsThatChangeWhatItSupports() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(pAddress::get)) {
            TetherNode z = Tether.start(TetherConfig.builder(NodeId.of("z"))
                    .peers(NodeId.of("p"))
                    .transport(TcpTransport.builder()
                            .peer(NodeId.of("p"), proxy.address())
                            .reconnect(Duration.ofMillis(20), Duration.ofMillis(200))
                            .build())
                    .store(new InMemoryStore())
                    .durability(Durability.MEMORY)
                    .compression("lz4", 1024)
                    .retransmitTimeout(PeerMain.RETRANSMIT, PeerMain.RETRANSMIT) // no retransmission in the byte counts
                    .handler(d -> {
                        int i = Integer.parseInt(d.headers().get("i"));
                        fromP.put(
                                i,
                                Arrays.equals(d.payloadBytes(), Payloads.order(i))
                                        && d.headers().size() == 1);
                    })
                    .build());
            try {
                long[] plain = phase(z, proxy, false, 0);
                assertThat(plain[0]).as("z -> p without the module: plain").isGreaterThan(PLAIN_BYTES);
                assertThat(plain[1])
                        .as("p -> z from a process without it: plain")
                        .isGreaterThan(PLAIN_BYTES);

                long[] compressed = phase(z, proxy, true, 1);
                // What z sent p: this round's messages and those the killed p had not acknowledged, all compressed.
                long sentToP = (COUNT + compressed[2]) * (long) Payloads.SIZE;
                assertThat(compressed[0])
                        .as("z -> p with the module: compressed")
                        .isLessThan(sentToP / 2);
                assertThat(compressed[1]).as("p -> z, p compressing too").isLessThan(PLAIN_BYTES / 2);

                long[] again = phase(z, proxy, false, 2);
                assertThat(again[0])
                        .as("z -> p without the module again: plain")
                        .isGreaterThan(PLAIN_BYTES);
            } finally {
                z.shutdown(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * Starts {@code p} (with the module and compressing, or without it), exchanges {@link #COUNT} messages each way
     * (indexes from {@code round * 100}), kills it; returns the bytes the proxy carried to p and back meanwhile, and
     * how many messages of earlier rounds p received again (the killed p had processed them, not acknowledged).
     */
    private long[] phase(TetherNode z, TcpProxy proxy, boolean withModule, int round) throws Exception {
        int first = round * 100;
        long toP = proxy.bytesToTarget();
        long fromPBytes = proxy.bytesFromTarget();
        ChildJvm.Builder b = ChildJvm.builder(PeerMain.class)
                .name("p-" + round + (withModule ? "-with-codecs" : "-without-codecs"))
                .args(Integer.toString(COUNT), Boolean.toString(withModule), Integer.toString(first));
        if (!withModule) b.classpath(withoutModule());
        try (ChildJvm p = b.start()) {
            String codecs = p.awaitLine(l -> l.startsWith("codecs "), DEADLINE);
            assertThat(codecs).isEqualTo(withModule ? "codecs [lz4, zstd, snappy]" : "codecs []");
            String listening = p.awaitLine(l -> l.startsWith("listening "), DEADLINE);
            pAddress.set(new InetSocketAddress("127.0.0.1", Integer.parseInt(listening.substring(10))));
            for (int i = first; i < first + COUNT; i++) {
                z.send(OutboundMessage.to(NodeId.of("p"))
                        .header("i", Integer.toString(i))
                        .payload(Payloads.order(i))
                        .build());
            }
            // In order; a message an earlier p processed but was killed before acknowledging comes again, first (a
            // killed p may have acknowledged nothing, so that can go back more than one round).
            int next = first;
            int lastAgain = -1;
            long again = 0;
            while (next < first + COUNT) {
                String got = p.awaitLine(l -> l.startsWith("got "), DEADLINE);
                assertThat(got).endsWith(" ok");
                int i = Integer.parseInt(got.split(" ")[1]);
                if (i >= first) assertThat(i).as("in order").isEqualTo(next++);
                else {
                    assertThat(next)
                            .as("redelivery " + i + " before this round's messages")
                            .isEqualTo(first);
                    assertThat(i).as("redeliveries in order").isGreaterThan(lastAgain);
                    lastAgain = i;
                    again++;
                }
            }
            Await.until(
                    DEADLINE,
                    () -> fromP.keySet().stream()
                                    .filter(i -> i >= first && i < first + COUNT)
                                    .count()
                            == COUNT,
                    () -> "p's messages at z: " + fromP.keySet());
            assertThat(fromP)
                    .allSatisfy(
                            (i, ok) -> assertThat(ok).as("message %d intact", i).isTrue());
            long[] bytes = {proxy.bytesToTarget() - toP, proxy.bytesFromTarget() - fromPBytes, again};
            pAddress.set(null); // no connection to a dead port while the next p starts
            assertThat(p.kill()).isEqualTo(ChildJvm.SIGKILL_EXIT);
            return bytes;
        }
    }

    /** The test class path without this module's classes and aircompressor: a process without the codec module. */
    private static String withoutModule() {
        List<String> kept = Arrays.stream(ChildJvm.currentClasspath().split(File.pathSeparator))
                .filter(e -> !e.contains("aircompressor"))
                .filter(e -> !e.replace('\\', '/').endsWith("tether-compression/target/classes"))
                .toList();
        return kept.stream().collect(Collectors.joining(File.pathSeparator));
    }
}
