package dev.tether.systest;

import dev.tether.Durability;
import dev.tether.HandlerOptions;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import dev.tether.transport.tcp.TcpTransport;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The called node of {@link VolatileCallKillTest}, in a child JVM: node {@code b} over TCP with a SQLite store at
 * FSYNC, whose handler {@code work} records each execution (the payload, one line, written and forced to disk
 * before it returns, so a SIGKILL loses no record of an execution that happened: the fsync also makes each call
 * take a moment, so that calls are in flight when the process is killed) and answers the payload. Arguments: {@code <directory> <own port> <caller port>}. Prints {@code ready} once started; runs
 * until killed.
 */
public final class VolatileCallee {
    private VolatileCallee() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        FileOutputStream executions =
                new FileOutputStream(dir.resolve("executions.txt").toFile(), true);
        TetherNode node = Tether.start(TetherConfig.builder(NodeId.of("b"))
                .peers(NodeId.of("a"))
                .transport(TcpTransport.builder()
                        .listen(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])))
                        .peer(NodeId.of("a"), new InetSocketAddress("127.0.0.1", Integer.parseInt(args[2])))
                        .build())
                .store(new SqliteStore(dir.resolve("b.db")))
                .durability(Durability.FSYNC)
                .handle("work", HandlerOptions.defaults(), call -> {
                    record(executions, call.payloadBytes());
                    return call.payloadBytes();
                })
                .build());
        System.out.println("ready " + node.id());
        System.out.flush();
        new CountDownLatch(1).await(); // until SIGKILL
    }

    private static synchronized void record(FileOutputStream out, byte[] payload) {
        try {
            out.write((new String(payload, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
            out.getFD().sync();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
