package dev.tether.store.sqlite;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.SendReceipt;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.testkit.Await;
import dev.tether.testkit.process.Periodic;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process {@link IdempotencyCrashTest} kills: nodes {@code a} and {@code b} in one JVM on SQLite files (FSYNC)
 * over an {@link InMemoryNetwork}. Every run, {@code a} sends {@code k-1..k-N} with those idempotency keys, as an
 * application that retries everything whose outcome it does not know. {@code b}'s handler appends one line per
 * handling to {@code handled.log} ({@code key} or {@code key redelivery}) with an unbuffered write, which a SIGKILL
 * does not lose.
 *
 * <p>Arguments: {@code dir keys drain}. Prints {@code ready}, then {@code progress processed=N handled=M} every 10 ms
 * (sends of this run processed, duplicates included; handler calls). With
 * {@code drain} true it waits until every send of the run was processed, prints {@code done} and exits 0 (2 if
 * not within two minutes); otherwise it runs until killed.
 */
public final class IdempotencyCrashWorkload {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final Path dir;
    private final InMemoryNetwork network = new InMemoryNetwork();
    private final FileChannel handledLog;
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();

    private IdempotencyCrashWorkload(Path dir) throws IOException {
        this.dir = dir;
        this.handledLog = FileChannel.open(
                dir.resolve("handled.log"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int keys = Integer.parseInt(args[1]);
        boolean drain = Boolean.parseBoolean(args[2]);
        System.exit(new IdempotencyCrashWorkload(dir).run(keys, drain));
    }

    private int run(int keys, boolean drain) throws Exception {
        TetherNode a = start(A, B, null);
        start(B, A, this::record);
        System.out.println("ready");
        Periodic.every(
                Duration.ofMillis(10),
                "progress",
                () -> System.out.println("progress processed=" + processed + " handled=" + handled));
        List<SendReceipt> receipts = new ArrayList<>();
        for (int i = 1; i <= keys; i++) {
            String key = "k-" + i;
            receipts.add(a.send(OutboundMessage.to(B)
                    .lane(i % 2 == 0 ? "even" : "odd") // two streams: keys are per sender, not per lane
                    .idempotencyKey(key)
                    .payload(key.getBytes(StandardCharsets.UTF_8))
                    .build()));
            receipts.get(i - 1).processed().thenRun(processed::incrementAndGet);
        }
        if (!drain) {
            Await.untilKilled();
            return 3;
        }
        for (SendReceipt r : receipts) {
            r.processed().get(2, TimeUnit.MINUTES);
        }
        System.out.println("done");
        return 0;
    }

    private TetherNode start(NodeId id, NodeId peer, dev.tether.MessageHandler handler) {
        TetherConfig.Builder b = TetherConfig.builder(id)
                .peers(peer)
                .transport(network.newTransport())
                .durability(Durability.FSYNC)
                .store(new SqliteStore(dir.resolve(id.value() + ".db")));
        if (handler != null) b.handler(handler);
        return Tether.start(b.build());
    }

    private void record(dev.tether.Delivery d) {
        String line =
                new String(d.payloadBytes(), StandardCharsets.UTF_8) + (d.isRedelivery() ? " redelivery" : "") + "\n";
        try {
            synchronized (handledLog) {
                handledLog.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        handled.incrementAndGet();
    }
}
