package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.Durability;
import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.node.TetherConfig;
import dev.tether.store.memory.InMemoryStore;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * An accept loop whose {@code accept} keeps failing (EMFILE) waits 10 ms doubling to 1 s between tries and reports
 * one line per burst of failures, instead of spinning a core and reporting every failure.
 */
class AcceptBackoffTest {
    private static final IOException EMFILE = new IOException("Too many open files");

    @Test
    void failuresWaitTenMillisecondsDoublingToOneSecondAndEachBurstIsReportedOnce() {
        List<String> reported = new ArrayList<>();
        List<Long> waits = new ArrayList<>();
        AcceptBackoff backoff = new AcceptBackoff(reported::add, waits::add);
        for (int i = 0; i < 9; i++) assertThat(backoff.failed(EMFILE)).isTrue();
        assertThat(waits).containsExactly(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L);
        assertThat(reported)
                .containsExactly("accept failed: Too many open files; retrying after 10 ms, backing off to 1000 ms"
                        + " (reported once until an accept succeeds)");

        backoff.succeeded();
        waits.clear();
        backoff.failed(EMFILE);
        assertThat(waits).containsExactly(10L);
        assertThat(reported).hasSize(2);
    }

    @Test
    void anInterruptedWaitEndsTheLoopAndKeepsTheInterrupt() {
        AcceptBackoff backoff = new AcceptBackoff(r -> {}, ms -> {
            throw new InterruptedException();
        });
        try {
            assertThat(backoff.failed(EMFILE)).isFalse();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    /** A server socket whose first {@code failures} accepts fail as they do when no file descriptor is left. */
    private static final class Exhausted extends ServerSocket {
        final AtomicInteger accepts = new AtomicInteger();
        private final int failures;

        Exhausted(int failures) throws IOException {
            this.failures = failures;
            bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }

        @Override
        public Socket accept() throws IOException {
            if (accepts.incrementAndGet() <= failures) throw new IOException("Too many open files");
            return super.accept();
        }
    }

    @Test
    void theAdminEndpointBacksOffLogsOnceAndServesOnceAcceptWorksAgain() throws IOException {
        Exhausted socket = new Exhausted(5);
        try (CapturedLog log = CapturedLog.of(AdminServer.class);
                TetherNode node = Tether.start(TetherConfig.builder(NodeId.of("a"))
                        .transport(new InMemoryNetwork().newTransport())
                        .store(new InMemoryStore())
                        .durability(Durability.MEMORY)
                        .build());
                AdminServer admin = AdminServer.serving(socket, AdminServer.Limits.DEFAULT)) {
            admin.start(node, 1 << 20);
            assertThat(RawHttp.exchange(socket.getLocalPort(), RawHttp.get("/health")))
                    .startsWith("HTTP/1.1 200 ");
            // 5 failed accepts, the one that served, and perhaps the next, waiting
            assertThat(socket.accepts.get()).isBetween(6, 7);
            List<LogRecord> logged = log.records();
            assertThat(logged).hasSize(1);
            assertThat(logged.get(0).getLevel()).isEqualTo(Level.WARNING);
            assertThat(logged.get(0).getMessage()).startsWith("admin endpoint: accept failed: Too many open files;");
        }
    }
}
