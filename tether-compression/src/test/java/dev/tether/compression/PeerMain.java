package dev.tether.compression;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.spi.Compressor;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.ServiceLoader;

/**
 * The peer of {@link CompressionInteropTest}, in a child JVM: node {@code p}, listening on a free port, admitting
 * {@code z}. It checks every message from {@code z} ("got I ok" or "got I bad") and sends {@code count} messages of its
 * own to {@code z}. Args: {@code count compress(true|false) first-index}. It prints the codecs it found, so the test
 * sees a child started without the codec module really has none.
 */
public final class PeerMain {
    /**
     * Both nodes' retransmission timeout: long enough that nothing is retransmitted on a loaded machine (a
     * reconnect resends at once), so the bytes on the connection are one transmission of each message.
     */
    static final Duration RETRANSMIT = Duration.ofSeconds(10);

    private PeerMain() {}

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        boolean compress = Boolean.parseBoolean(args[1]);
        int first = Integer.parseInt(args[2]);
        System.out.println("codecs "
                + ServiceLoader.load(Compressor.class).stream()
                        .map(p -> p.get().name())
                        .toList());
        TcpTransport t = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .build();
        TetherConfig.Builder b = TetherConfig.builder(NodeId.of("p"))
                .peers(NodeId.of("z"))
                .transport(t)
                .store(new InMemoryStore())
                .durability(Durability.MEMORY)
                .retransmitTimeout(RETRANSMIT, RETRANSMIT)
                .handler(d -> {
                    int i = Integer.parseInt(d.headers().get("i"));
                    boolean ok = Arrays.equals(d.payloadBytes(), Payloads.order(i))
                            && !d.headers().containsKey(":z");
                    System.out.println("got " + i + (ok ? " ok" : " bad"));
                });
        if (compress) b.compression("lz4", 1024);
        TetherNode node = Tether.start(b.build());
        System.out.println("listening " + t.boundAddress().getPort());
        for (int i = first; i < first + count; i++) {
            node.send(OutboundMessage.to(NodeId.of("z"))
                    .header("i", Integer.toString(i))
                    .payload(Payloads.order(i))
                    .build());
        }
        Thread.currentThread().join(); // until killed
    }
}
