package dev.tether.bench.net;

import dev.tether.Call;
import dev.tether.NodeId;
import dev.tether.Reply;
import dev.tether.TetherNode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The caller's side of the request benchmarks (commands {@code REQ} and {@code REQP} of {@link PeerProcess}): calls
 * of the receiver's {@code echo} handler, one at a time or pipelined, durable or volatile. Every reply is checked
 * against its request. Command thread only; reply callbacks run on the node thread.
 */
final class CallLoad {
    static final String HANDLER = "echo";
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    private final TetherNode node;
    private final NodeId to;
    private final int size;
    private final boolean volatileDelivery;

    /** Requests of {@code size}-byte payloads, volatile ({@code Call.volatileDelivery()}) or durable. */
    CallLoad(TetherNode node, NodeId to, int size, boolean volatileDelivery) {
        this.node = node;
        this.to = to;
        this.size = size;
        this.volatileDelivery = volatileDelivery;
    }

    private Call call() {
        Call c = node.call(to, HANDLER).timeout(TIMEOUT);
        return volatileDelivery ? c.volatileDelivery() : c;
    }

    /** {@code n} requests one at a time, each waited for: the round trip of a blocking caller. */
    Latency roundTrips(int n) throws Exception {
        long[] rtt = new long[n];
        for (int i = 0; i < n; i++) {
            byte[] p = payload(i);
            long t = System.nanoTime();
            Reply r = call().request(p).get(1, TimeUnit.MINUTES);
            rtt[i] = System.nanoTime() - t;
            check(r, i);
        }
        return Latency.of(rtt);
    }

    /**
     * {@code n} requests with up to {@code outstanding} waiting for replies at any time, spread over {@code lanes}
     * lanes; returns the nanoseconds from the first call to the last reply.
     */
    long pipelined(int n, int outstanding, int lanes) throws Exception {
        Semaphore window = new Semaphore(outstanding);
        AtomicLong answered = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CompletableFuture<Void> all = new CompletableFuture<>();
        long start = System.nanoTime();
        for (int i = 0; i < n && failure.get() == null; i++) {
            if (!window.tryAcquire(1, TimeUnit.MINUTES)) throw new IllegalStateException("no reply within a minute");
            long index = i;
            call().lane("echo-" + (i % lanes)).request(payload(i)).whenComplete((r, e) -> {
                if (e == null) e = mismatch(r, index);
                if (e != null) failure.compareAndSet(null, e);
                window.release();
                if (answered.incrementAndGet() == n || e != null) all.complete(null);
            });
        }
        all.get(5, TimeUnit.MINUTES);
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) throw new IllegalStateException("a request failed", failure.get());
        return elapsed;
    }

    private byte[] payload(long index) {
        return ByteBuffer.allocate(size).putLong(0, index).array();
    }

    private void check(Reply r, long index) {
        Throwable t = mismatch(r, index);
        if (t != null) throw new IllegalStateException(t.getMessage());
    }

    private Throwable mismatch(Reply r, long index) {
        ByteBuffer p = r.payload();
        if (p.remaining() != size || p.getLong(p.position()) != index) {
            return new IllegalStateException("reply to request " + index + " is not its echo: " + r);
        }
        return null;
    }
}
