package dev.tether.transport.tcp.internal;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that do the expensive part of TLS handshakes, off the transport's single I/O thread: the {@code
 * SSLEngine}'s delegated tasks (key exchange, signatures, the trust manager's certificate checks, and the reading of
 * the node ids a certificate proves, {@link IdentityTrustManager}). Netty's {@code SslHandler} hands each task here
 * and, while it runs, holds that connection's input; when the task is done it resumes the connection on the I/O
 * thread, so the records of one connection keep their order and a failed check fails that handshake only, exactly as
 * if the task had run inline. Meanwhile the I/O thread keeps carrying every established connection: many peers (or
 * an attacker) handshaking at once, or a slow custom trust manager, no longer stall the node's traffic.
 *
 * <p>Bounded: at most {@link #THREADS} threads, which end after a minute without work (an idle node holds none).
 * The queue needs no bound of its own: a handshake has at most one task outstanding, and the accepted connections
 * in the handshake are capped ({@link PendingHandshakes}); the dialed ones are this node's own peers and seeds.
 * Owned by one {@link TcpEndpoint}, which shuts it down when it closes; a task submitted after that is refused, which
 * fails that (closing) connection's handshake.
 */
final class TlsHandshakeExecutor {
    /** Two threads: handshakes may use a second core, and one slow trust manager check does not hold all of them. */
    static final int THREADS = 2;

    private final ThreadPoolExecutor pool;

    /** An executor whose threads are named after {@code owner} (the transport's kind and node id). */
    TlsHandshakeExecutor(String owner) {
        pool = new ThreadPoolExecutor(
                THREADS,
                THREADS,
                1,
                TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(owner + "-tls", true));
        pool.allowCoreThreadTimeOut(true);
    }

    /** The executor to give each {@code SslHandler}. */
    Executor executor() {
        return pool;
    }

    /** Stops the threads; a task still running (a check blocked in a trust manager) is interrupted. */
    void shutdown() {
        pool.shutdownNow();
    }
}
