package dev.tether.cli;

import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.transport.tcp.TcpTransport;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The "Using it as a library" example of README.md. The lines between the markers are the README's code block,
 * character for character ({@link ReadmeExampleTest} compares them), so the README shows code that compiles
 * against the current API; the test runs this class in a child JVM whose working directory is a temporary one,
 * where the example's default stores land.
 */
public final class ReadmeExample {
    private ReadmeExample() {}

    public static void main(String[] args) {
        // README.md example begin
        TcpTransport bTransport = TcpTransport.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0)) // 0: any free port; fixed ones across processes
                .build();
        TetherNode b = Tether.start(TetherConfig.builder(NodeId.of("b"))
                .peers(NodeId.of("a"))
                .transport(bTransport)
                .handler(d -> System.out.println(d.from() + " #" + d.seq() + ": " + new String(d.payloadBytes())))
                .build()); // store: tether-b.db in the working directory, FSYNC

        TetherNode a = Tether.start(TetherConfig.builder(NodeId.of("a"))
                .peers(NodeId.of("b"))
                .transport(TcpTransport.builder()
                        .listen(new InetSocketAddress("127.0.0.1", 0))
                        .peer(NodeId.of("b"), bTransport.boundAddress()) // where b listens
                        .build())
                .build());

        SendReceipt r = a.send(NodeId.of("b"), "orders", "hello".getBytes());
        r.accepted().join(); // fsynced: survives disconnects, crashes and power loss from here on
        r.processed().join(); // b's handler returned (or the message expired / was dead-lettered: see Outcome)
        a.shutdown(Duration.ofSeconds(5));
        // README.md example end

        System.out.println("outcome " + r.processed().join());
        System.out.println("b drained " + b.shutdown(Duration.ofSeconds(5)).drained());
    }
}
