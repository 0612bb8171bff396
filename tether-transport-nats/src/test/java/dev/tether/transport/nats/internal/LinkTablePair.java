package dev.tether.transport.nats.internal;

import dev.tether.NodeId;
import dev.tether.testkit.RecordingListener;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two link tables, a and b, wired through one queue of HELLOs ({@link #wire}): a test runs, drops or reorders them
 * by hand and passes time through {@link #now}; each table reports to its own recording listener.
 */
abstract class LinkTablePair {
    static final NodeId A = NodeId.of("a");
    static final NodeId B = NodeId.of("b");
    static final long TIMEOUT = TimeUnit.SECONDS.toNanos(3);
    static final long INTERVAL = TimeUnit.SECONDS.toNanos(1);

    final Queue<Runnable> wire = new ArrayDeque<>();
    final RecordingListener atA = new RecordingListener("a", 1 << 20);
    final RecordingListener atB = new RecordingListener("b", 1 << 20);
    final LinkTable a;
    final LinkTable b;
    long now = 1_000;

    LinkTablePair() {
        a = new LinkTable(
                A,
                atA,
                (peer, conn, x, y) -> wire.add(() -> b().onHello(A, conn, x, y, now)),
                TIMEOUT,
                new SplittableRandom(1));
        b = new LinkTable(
                B,
                atB,
                (peer, conn, x, y) -> wire.add(() -> a.onHello(B, conn, x, y, now)),
                TIMEOUT,
                new SplittableRandom(2));
    }

    private LinkTable b() {
        return b;
    }

    /** Runs what is on the wire, and what that puts on it, up to 100 HELLOs. */
    void drainWire() {
        for (int i = 0; i < 100 && !wire.isEmpty(); i++) wire.poll().run();
    }
}
