package dev.tether.cli;

import dev.tether.NodeClosedException;
import dev.tether.management.NodeManagement;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The live dashboard of the admin endpoint: {@code GET /dashboard} is one self-contained page (no build step, nothing
 * loaded from elsewhere), which opens {@code GET /mgmt/live}, a server-sent event stream of the management model: every
 * {@code intervalMs} (default 1000, at least 100) one {@code snapshot} event with the topology, the statistics, the
 * oldest dead letters and the recent events; a {@code closed} event when the node stops. The page's buttons call the
 * {@code /mgmt/} routes ({@link ManagementRoutes}). Thread-safe: each stream runs on its connection's thread.
 */
final class Dashboard {
    static final int DEAD_LETTERS_SHOWN = 50;
    static final int EVENTS_SHOWN = 40;

    private static final byte[] PAGE = load();

    private final NodeManagement m;

    Dashboard(NodeManagement m) {
        this.m = m;
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

    /** Streams snapshots to {@code c} until the client goes away or the node stops. */
    void live(TimedSocket c, long intervalMillis) throws IOException {
        OutputStream raw = c.out();
        raw.write(AdminRoutes.head(200, "text/event-stream; charset=utf-8", -1));
        HttpBody.ChunkedOut out = new HttpBody.ChunkedOut(raw);
        try {
            while (true) {
                String data;
                try {
                    data = snapshot(System.currentTimeMillis());
                } catch (NodeClosedException e) {
                    out.write(("event: closed\ndata: " + Json.object().put("reason", e.getMessage()) + "\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.finish();
                    return;
                }
                out.write(("event: snapshot\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                raw.flush();
                Thread.sleep(intervalMillis); // the pace of the stream, not a wait for a condition
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the endpoint is closing
        }
    }

    private String snapshot(long at) {
        List<String> parts = List.of(
                ManagementJson.topology(m.topology()),
                ManagementJson.statistics(m.statistics()),
                ManagementJson.array(m.deadLetters(DEAD_LETTERS_SHOWN, false), ManagementJson::deadLetter),
                ManagementJson.array(tail(m.recentEvents()), ManagementJson::event));
        return Json.object()
                .put("at", at)
                .putRaw("topology", parts.get(0))
                .putRaw("stats", parts.get(1))
                .putRaw("deadLetters", parts.get(2))
                .putRaw("events", parts.get(3))
                .toString();
    }

    private static <T> List<T> tail(List<T> l) {
        return l.size() <= EVENTS_SHOWN ? l : l.subList(l.size() - EVENTS_SHOWN, l.size());
    }
}
