package dev.tether.cli;

import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.tcp.TcpTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * {@code tether _cds-training} (hidden): what the distribution's launcher runs once, under
 * {@code -XX:ArchiveClassesAtExit}, to make its class-data-sharing archive ({@code TETHER_CDS=on}, docs/OPERATIONS.md
 * "Faster starts"). It loads the classes a node's start and first messages load: two nodes over loopback TCP with
 * SQLite stores in a temporary directory (removed again), messages one way, a request the other, then a shutdown.
 * The archive then holds them, and a node started with it skips most of their loading and verification.
 */
@Command(name = "_cds-training", hidden = true, description = "Starts two nodes, exchanges messages, stops them.")
final class CdsTrainingCommand implements Callable<Integer> {
    private static final NodeId A = NodeId.of("cds-a");
    private static final NodeId B = NodeId.of("cds-b");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Override
    public Integer call() throws Exception {
        NativeSqlite.prepare();
        Path dir = Files.createTempDirectory("tether-cds-");
        try {
            exchange(dir);
        } finally {
            delete(dir);
        }
        return ExitCode.OK;
    }

    private static void exchange(Path dir) throws Exception {
        TcpTransport bTransport = TcpTransport.builder().listen(loopback()).build();
        try (TetherNode b = Tether.start(TetherConfig.builder(B)
                        .peers(A)
                        .transport(bTransport)
                        .store(SqliteStore.builder(dir.resolve("b.db")).build())
                        .handler(d -> {})
                        .handle("cds.echo", call -> call.payloadBytes())
                        .build());
                TetherNode a = Tether.start(TetherConfig.builder(A)
                        .peers(B)
                        .transport(TcpTransport.builder()
                                .listen(loopback())
                                .peer(B, bTransport.boundAddress())
                                .build())
                        .store(SqliteStore.builder(dir.resolve("a.db")).build())
                        .build())) {
            byte[] payload = "training".getBytes(StandardCharsets.UTF_8);
            SendReceipt last = null;
            for (int i = 0; i < 200; i++) last = a.send(B, "lane-" + (i % 4), payload);
            last.processed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            a.call(B, "cds.echo").request(payload).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            a.shutdown(Duration.ofSeconds(5));
            b.shutdown(Duration.ofSeconds(5));
        }
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
