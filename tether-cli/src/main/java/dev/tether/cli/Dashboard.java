package dev.tether.cli;

import dev.tether.NodeClosedException;
import dev.tether.TetherException;
import dev.tether.TetherNode;
import dev.tether.management.NodeManagement;
import dev.tether.node.Tether;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * The live dashboard of the admin endpoint: {@code GET /dashboard} is one self-contained page (no build step, nothing
 * loaded from elsewhere), which opens {@code GET /mgmt/live}, a server-sent event stream of the management model: every
 * {@code intervalMs} (default 1000, at least 100) one {@code snapshot} event with the topology, the statistics, the
 * channels with the readers of this node's logs, the bus's endpoints with their counters and its routing rules, the
 * oldest dead letters and the recent events; a {@code closed} event
 * when the node stops, and an {@code unavailable} event (with the reason) for an interval the node did not answer
 * in (a statistics request not answered within 10 s): the stream goes on, and the next snapshot follows when it does. The page's buttons call the {@code /mgmt/} routes ({@link ManagementRoutes}, {@link
 * RuleRoutes}); its history form queries {@code GET /mgmt/history} when asked.
 *
 * <p>Thread-safe: each stream runs on its connection's thread. Streams share snapshots: one taken less than {@link
 * #SHARED_FOR_MILLIS} ago is sent again rather than computed anew, so N open pages cost about one snapshot per
 * interval, not N; and while one is being taken, the others wait for it instead of each taking its own in turn
 * (a node slow to answer would otherwise hold every page for as many times its delay).
 */
final class Dashboard {
    static final int DEAD_LETTERS_SHOWN = 50;
    static final int EVENTS_SHOWN = 40;
    /** How long a snapshot is sent to other streams: below the shortest interval (100 ms), so none sees it twice. */
    static final long SHARED_FOR_MILLIS = 50;

    /** Live streams served at once; the endpoint serves 32 connections by default. */
    static final int MAX_LIVE = 8;

    private static final byte[] PAGE = load();

    private final Semaphore liveStreams = new Semaphore(MAX_LIVE);

    private final NodeManagement m;
    /** The node whose bus (endpoints, routing rules) the page shows; null: none. */
    private final TetherNode node;

    private final LongSupplier clock;
    private long takenAt = Long.MIN_VALUE;
    private String shared;
    private int taken;
    /** The snapshot being taken, which other callers wait for; null if none is. */
    private CompletableFuture<String> taking;

    Dashboard(NodeManagement m, TetherNode node) {
        this(m, node, System::currentTimeMillis);
    }

    Dashboard(NodeManagement m, TetherNode node, LongSupplier clock) {
        this.m = m;
        this.node = node;
        this.clock = clock;
    }

    private static byte[] load() {
        try (InputStream in = Dashboard.class.getResourceAsStream("dashboard.html")) {
            if (in == null) throw new IllegalStateException("dashboard.html is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CallRoutes.Answer page() {
        return new CallRoutes.Answer(200, "text/html; charset=utf-8", PAGE);
    }

    /**
     * Streams snapshots to {@code c} until the client goes away or the node stops. At most {@link #MAX_LIVE} streams
     * run at once (503 beyond): each holds one of the endpoint's connections for as long as its page stays open, and
     * the operator's tools need the others. Between snapshots the stream waits on a read of the connection, so a
     * client that closes it is noticed at once rather than after the interval.
     *
     * @throws HttpError 503 if {@link #MAX_LIVE} streams are open
     */
    void live(TimedSocket c, long intervalMillis) throws IOException {
        if (!liveStreams.tryAcquire()) {
            throw new HttpError(
                    503,
                    MAX_LIVE + " live streams (dashboards) are open, the most this endpoint serves at"
                            + " once beside its other requests; close one");
        }
        try {
            stream(c, intervalMillis);
        } finally {
            liveStreams.release();
        }
    }

    private void stream(TimedSocket c, long intervalMillis) throws IOException {
        OutputStream raw = c.out();
        raw.write(AdminRoutes.head(200, "text/event-stream; charset=utf-8", -1));
        HttpBody.ChunkedOut out = new HttpBody.ChunkedOut(raw);
        do {
            String data;
            try {
                data = snapshot();
            } catch (NodeClosedException e) {
                out.write(("event: closed\ndata: " + Json.object().put("reason", e.getMessage()) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.finish();
                return;
            } catch (TetherException e) {
                data = null;
                out.write(("event: unavailable\ndata: " + Json.object().put("reason", e.getMessage()) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            if (data != null) {
                out.write(("event: snapshot\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
            raw.flush();
        } while (stillOpenAfter(c, intervalMillis));
    }

    /**
     * Waits {@code millis} (the pace of the stream) on a read of the connection: false as soon as the client closes
     * it. The client sends nothing more after its request; whatever it does send is skipped.
     */
    private static boolean stillOpenAfter(TimedSocket c, long millis) throws IOException {
        c.readWithin(Duration.ofMillis(millis));
        InputStream in = c.in();
        byte[] skipped = new byte[512];
        try {
            while (true) {
                if (in.read(skipped) < 0) return false;
            }
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    /**
     * The latest snapshot if it is fresh enough to share, else a new one: taken by this caller, or by another whose
     * taking is under way, which this one waits for. A failure is thrown to every caller that waited for it.
     */
    String snapshot() {
        CompletableFuture<String> next;
        boolean mine;
        long now;
        synchronized (this) {
            now = clock.getAsLong();
            if (shared != null && now - takenAt < SHARED_FOR_MILLIS && now >= takenAt) return shared;
            mine = taking == null;
            if (mine) taking = new CompletableFuture<>();
            next = taking;
        }
        if (mine) takeInto(next, now);
        try {
            return next.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    private void takeInto(CompletableFuture<String> next, long now) {
        String s = null;
        try {
            s = take(now);
        } catch (RuntimeException e) {
            next.completeExceptionally(e);
        } finally {
            synchronized (this) {
                if (s != null) {
                    shared = s;
                    takenAt = now;
                    taken++;
                }
                taking = null;
            }
            if (s != null) next.complete(s);
            else if (!next.isDone()) next.completeExceptionally(new IllegalStateException("the snapshot failed"));
        }
    }

    /** Snapshots computed so far (the others were shared). */
    synchronized int taken() {
        return taken;
    }

    private String take(long at) {
        Json j = Json.object()
                .put("at", at)
                .putRaw("topology", ManagementJson.topology(m.topology()))
                .putRaw("stats", ManagementJson.statistics(m.statistics()))
                .putRaw("channels", ManagementJson.array(m.channels(), ManagementJson::channel));
        if (node != null) {
            j.putRaw("endpoints", ManagementJson.array(EndpointMemberships.of(node), EndpointMemberships::json))
                    .putRaw("rules", RuleRoutes.json(Tether.bus(node).rules()));
        }
        return j.putRaw(
                        "deadLetters",
                        ManagementJson.array(m.deadLetters(DEAD_LETTERS_SHOWN, false), ManagementJson::deadLetter))
                .putRaw("events", ManagementJson.array(tail(m.recentEvents()), ManagementJson::event))
                .toString();
    }

    private static <T> List<T> tail(List<T> l) {
        return l.size() <= EVENTS_SHOWN ? l : l.subList(l.size() - EVENTS_SHOWN, l.size());
    }
}
