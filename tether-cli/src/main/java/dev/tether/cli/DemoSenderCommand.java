package dev.tether.cli;

import dev.tether.Delivery;
import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StreamStats;
import dev.tether.TetherNode;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The sending process of {@code tether demo}: streams numbered messages to one peer until the stream's last
 * sequence number reaches {@code --count}. Restarted after a SIGKILL, it reads how far its store got and
 * continues from there, so every number is sent once: what was committed before the kill is delivered from
 * the store, what was not is sent again as new messages with the next numbers.
 *
 * <p>Its stdout is a protocol for the demo: {@code resume N}, {@code accepted N} every 1000 messages, {@code
 * sent-all N}, {@code processed-all N}.
 */
@Command(name = "demo-sender", hidden = true, description = "Internal: the sending process of tether demo.")
final class DemoSenderCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions node;

    @Option(names = "--to", required = true)
    String to;

    @Option(names = "--count", required = true)
    long count;

    @Option(names = "--wait-for-go", description = "After printing resume, wait for a line 'go' on stdin.")
    boolean waitForGo;

    @Option(names = "--payload-bytes")
    int payloadBytes = 100;

    @Override
    public Integer call() throws Exception {
        NodeId target = NodeId.of(to);
        TransportFactory.Choice transport = TransportFactory.create(node);
        SqliteStore store = node.openStore();
        TetherConfig.Builder config = NodeStart.builder(node, transport, store).handler((Delivery d) -> {});
        TetherNode n = NodeStart.start(NodeStart.build(node, config), store);
        CountDownLatch never = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> n.shutdown(java.time.Duration.ofSeconds(2))));
        StreamStats s = n.stats().stream(target, Lanes.DEFAULT, StreamStats.Direction.OUTBOUND);
        long last = s == null ? 0 : s.lastSeq();
        spec.commandLine().getOut().println("resume " + last);
        if (waitForGo) awaitGo();
        SendReceipt tail = null;
        ArrayDeque<SendReceipt> pending = new ArrayDeque<>();
        for (long seq = last + 1; seq <= count; seq++) {
            byte[] payload = payload(seq);
            while (true) {
                try {
                    tail = n.send(target, payload);
                    break;
                } catch (QueueFullException full) {
                    // Backpressure: wait for the oldest outstanding send, then try again.
                    pending.removeFirst().accepted().join();
                }
            }
            pending.addLast(tail);
            if (pending.size() > 4096) pending.removeFirst().accepted().join();
            if (seq % 1000 == 0) {
                long shown = seq;
                tail.accepted().thenRun(() -> spec.commandLine().getOut().println("accepted " + shown));
            }
        }
        for (SendReceipt r : pending) r.accepted().join();
        spec.commandLine().getOut().println("sent-all " + count);
        if (tail != null) tail.processed().join();
        spec.commandLine().getOut().println("processed-all " + count);
        spec.commandLine().getOut().flush();
        never.await();
        return 0;
    }

    private static void awaitGo() throws java.io.IOException {
        java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.trim().equals("go")) return;
        }
        throw new java.io.IOException("stdin closed before 'go'");
    }

    private byte[] payload(long seq) {
        byte[] p = new byte[Math.max(payloadBytes, 24)];
        Arrays.fill(p, (byte) '.');
        byte[] head = (node.nodeId() + "#" + seq + " ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, p, 0, Math.min(head.length, p.length));
        return p;
    }
}
