package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A page's writer keeps its promise to a page that reads nothing: dropped, the page is sent a close frame once the
 * current write completes, and its socket is closed when the grace ends at the latest, though that write never
 * completes (a socket whose buffers are full). Here the page's output blocks until the test ends.
 */
class PageWriterTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofMillis(100);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final CountDownLatch writing = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    @AfterEach
    void stop() {
        released.countDown();
        timer.shutdownNow();
    }

    @Test
    void aDroppedPageWhoseWriteNeverCompletesHasItsSocketClosedWhenTheGraceEnds() throws Exception {
        Socket socket = new Socket();
        PageWriter w = new PageWriter(
                new WebSocket(InputStream.nullInputStream(), new Stuck(), 1024),
                socket,
                new PageWriter.Limits(2, GRACE),
                timer);
        try {
            assertThat(w.offer("{\"n\":0}")).isNull();
            assertThat(writing.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the writer writing the first message")
                    .isTrue();
            String why = null;
            long dropping = 0;
            for (int n = 1; why == null; n++) {
                assertThat(n).as("messages queued before the page was dropped").isLessThan(100);
                dropping = System.nanoTime();
                why = w.offer("{\"n\":" + n + "}");
            }
            assertThat(why).isEqualTo("this page fell 2 messages behind; reconnect for the history");
            Await.until(DEADLINE, socket::isClosed, () -> "the dropped page's socket closed");
            assertThat(Duration.ofNanos(System.nanoTime() - dropping))
                    .as("closed when the grace ended, not before")
                    .isGreaterThanOrEqualTo(GRACE);
        } finally {
            w.stop();
        }
    }

    /** A page's output whose writes block until the test ends, then fail as on a closed socket. */
    private final class Stuck extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writing.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("the socket was closed");
        }
    }
}
