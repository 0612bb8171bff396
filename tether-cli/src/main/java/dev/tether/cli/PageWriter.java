package dev.tether.cli;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What one chat page is sent, written by a thread of the page's own: whoever has something for the page (the node's
 * delivery threads, the terminal, the status pusher, the page's own connection thread) only queues it ({@link #offer})
 * and never waits for the page's socket, so a page that reads slowly or not at all delays nobody but itself. The
 * writer sends the messages in the order they were queued; callers that need an order between threads (the history,
 * then the lines added after it) queue under a lock of their own.
 *
 * <p>Bounded: the queue holds the history a page is sent when it connects ({@link #history}: at most {@link
 * ChatTranscript#RECENT} lines), three status messages and {@link Limits#maxBehind} more (about: senders that race may
 * pass it by one each). A message that finds it full drops the page:
 * what is queued is discarded, the writer sends a close frame (1008, policy violation, with the reason) as soon as its
 * current write completes, and the socket is closed {@link Limits#closeGrace} later at the latest, for a page that
 * reads nothing at all. The page reconnects by itself and is sent the history again (it shows each line once), so it
 * misses no line of the transcript's recent ones.
 */
final class PageWriter {
    /** How far a page may fall behind, and how long a dropped page has to take its close frame. */
    record Limits(int maxBehind, Duration closeGrace) {
        static final Limits DEFAULT = new Limits(1024, Duration.ofSeconds(5));
    }

    /** Status messages a page is sent besides its history when it connects ({@code hello}, members, stats). */
    private static final int OPENING = 3;

    private final WebSocket ws;
    private final Socket socket;
    private final Limits limits;
    private final ScheduledExecutorService timer;
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    /** Messages queued at most; set by {@link #history}. */
    private volatile int capacity;

    private final Thread writer;
    /** Why the page was dropped, once it was: the writer then sends a close frame with it, and nothing else. */
    private volatile String dropped;

    /** Starts the writer of {@code socket}'s page; {@code timer} closes a dropped page's socket after the grace. */
    PageWriter(WebSocket ws, Socket socket, Limits limits, ScheduledExecutorService timer) {
        this.ws = ws;
        this.socket = socket;
        this.limits = limits;
        this.timer = timer;
        this.capacity = OPENING + limits.maxBehind();
        this.writer = new Thread(this::write, "tether-chat-write");
        writer.setDaemon(true);
        writer.start();
    }

    /** The page is about to be sent a history of {@code lines} lines: its queue holds them too. */
    void history(int lines) {
        capacity = lines + OPENING + limits.maxBehind();
    }

    /**
     * Queues {@code json} for the page. Returns the reason the page was dropped if it is full now (it was {@link
     * Limits#maxBehind} messages behind: it is dropped by this call) or was dropped before; null if queued.
     */
    String offer(String json) {
        if (dropped != null) return dropped;
        if (queue.size() < capacity) {
            queue.add(json);
            return null;
        }
        return drop("this page fell " + limits.maxBehind() + " messages behind; reconnect for the history");
    }

    /** The page's connection ended: the writer stops (the caller closes the socket). */
    void stop() {
        writer.interrupt();
    }

    private synchronized String drop(String why) {
        if (dropped != null) return dropped;
        dropped = why;
        queue.clear();
        queue.add(""); // wakes a writer waiting for a message: it finds the page dropped
        try {
            timer.schedule(this::closeSocket, limits.closeGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            closeSocket(); // the page server is closing
        }
        return why;
    }

    private void write() {
        try {
            while (true) {
                String json = queue.take();
                String why = dropped;
                if (why != null) {
                    ws.close(1008, why);
                    break;
                }
                ws.sendText(json);
            }
        } catch (InterruptedException e) {
            // the page's connection ended
        } catch (IOException e) {
            // the page went away, or its socket was closed after the grace
        }
        closeSocket(); // the page's connection thread then ends too, reading from it
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }
}
