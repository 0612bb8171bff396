package dev.tether.scenarios;

import dev.tether.NodeId;
import dev.tether.spi.Transport;
import dev.tether.testkit.ForwardingTransport;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a transport so that it offers a node executor (Transport rule 9), as the TCP transport does: every
 * listener call is re-made on one executor thread named {@code threadName}, and the node runs its loop there.
 */
final class HostingTransport extends ForwardingTransport {
    private final ScheduledExecutorService executor;
    private final AtomicLong tasks = new AtomicLong();
    private final AtomicLong periodic = new AtomicLong();

    HostingTransport(Transport inner, String threadName) {
        super(inner);
        this.executor =
                new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    return t;
                }) {
                    @Override
                    protected void beforeExecute(Thread t, Runnable r) {
                        if (r instanceof RunnableScheduledFuture<?> f && f.isPeriodic()) periodic.incrementAndGet();
                        else tasks.incrementAndGet();
                    }
                };
    }

    /** Tasks the executor has started so far, periodic ones (the node's tick) left out: turns, listener calls. */
    long tasks() {
        return tasks.get();
    }

    /** Runs of periodic tasks (the node's tick) so far; each may make the node run one more turn as a task. */
    long periodicRuns() {
        return periodic.get();
    }

    /** Every call but {@code admit} (thread-safe: asked on the inner transport's thread) moves to the executor. */
    @Override
    protected Listener listener(Listener listener) {
        return new ForwardingListener(listener) {
            @Override
            public void onPeerUp(NodeId peer) {
                executor.execute(() -> delegate().onPeerUp(peer));
            }

            @Override
            public void onPeerDown(NodeId peer) {
                executor.execute(() -> delegate().onPeerDown(peer));
            }

            @Override
            public void onFrame(NodeId from, ByteBuffer frame) {
                executor.execute(() -> delegate().onFrame(from, frame));
            }

            @Override
            public void onFrames(NodeId from, List<ByteBuffer> frames) {
                executor.execute(() -> delegate().onFrames(from, frames));
            }

            @Override
            public void onConnectionRejected(String remote, String reason) {
                executor.execute(() -> delegate().onConnectionRejected(remote, reason));
            }
        };
    }

    @Override
    public ScheduledExecutorService nodeExecutor() {
        return executor;
    }

    @Override
    public void close() {
        super.close();
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
