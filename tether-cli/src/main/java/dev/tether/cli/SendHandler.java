package dev.tether.cli;

import dev.tether.Lanes;
import dev.tether.MessageId;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.OutboundMessage;
import dev.tether.Outcome;
import dev.tether.QueueFullException;
import dev.tether.SendReceipt;
import dev.tether.StoreException;
import dev.tether.TetherException;
import dev.tether.TetherNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hands messages of {@code POST /send} requests to the node and waits for what the request asked for. Used by
 * the admin endpoint's connection threads; thread-safe (the node is).
 */
final class SendHandler {
    /** How long a send blocked by a full queue is retried before the message is refused. */
    private static final long MAX_BACKOFF_MILLIS = 50;

    /** The query parameters of a send request. */
    record Params(
            String to, String lane, List<String> headers, Long ttlMs, String waitFor, Duration timeout, boolean json) {
        static Params of(Map<String, List<String>> q) throws HttpError {
            QueryParameters.allowOnly(q, "/send", "to", "lane", "wait", "timeoutMs", "ttlMs", "header", "stream");
            String to = AdminServer.first(q, "to", null);
            if (to == null) throw new HttpError(400, "query parameter 'to' is required");
            String wait = AdminServer.first(q, "wait", "accepted");
            if (!List.of("none", "accepted", "processed").contains(wait)) {
                throw new HttpError(400, "wait must be none, accepted or processed, was '" + wait + "'");
            }
            String lane = AdminServer.first(q, "lane", Lanes.DEFAULT);
            List<String> headers = q.getOrDefault("header", List.of());
            try {
                NodeId.of(to);
                Lanes.requireValid(lane);
            } catch (TetherException e) {
                throw new HttpError(400, e.getMessage());
            }
            for (String h : headers) {
                if (h.indexOf(':') <= 0) throw new HttpError(400, "header must be NAME:VALUE, was '" + h + "'");
            }
            String ttl = AdminServer.first(q, "ttlMs", null);
            return new Params(
                    to,
                    lane,
                    headers,
                    ttl == null ? null : positive("ttlMs", ttl),
                    wait,
                    Duration.ofMillis(timeoutMs(AdminServer.first(q, "timeoutMs", "30000"))),
                    "json".equals(AdminServer.first(q, "format", "text")));
        }
    }

    /** A message handed to the node (or refused at once), with the time its wait ends. */
    record Pending(long index, SendReceipt receipt, TetherException refusal, long deadlineNanos) {}

    private final TetherNode node;

    SendHandler(TetherNode node) {
        this.node = node;
    }

    /** Hands {@code payload} to the node; a full queue is retried until the message's deadline. */
    Pending send(long index, byte[] payload, Params p) {
        long deadline = System.nanoTime() + p.timeout().toNanos();
        long backoff = 1;
        while (true) {
            try {
                return new Pending(index, node.send(message(payload, p)), null, deadline);
            } catch (QueueFullException e) {
                if (System.nanoTime() - deadline >= 0) return new Pending(index, null, e, deadline);
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            } catch (TetherException e) {
                return new Pending(index, null, e, deadline);
            } catch (IllegalArgumentException e) {
                return new Pending(index, null, new TetherException(e.getMessage()), deadline);
            }
        }
    }

    /** A message refused before it reached the node. */
    static Pending refused(long index, String reason) {
        return new Pending(index, null, new TetherException(reason), 0);
    }

    /** Waits, until the message's deadline, for what {@code p} asks for; says what became of the message. */
    static SendResult await(Pending m, Params p) {
        if (m.refusal() != null)
            return SendResult.refused(m.index(), m.refusal().getMessage());
        if (p.waitFor().equals("none")) return SendResult.ok(m.index(), "-", "QUEUED");
        MessageId id;
        try {
            id = get(m.receipt().accepted(), m.deadlineNanos());
        } catch (TimeoutException e) {
            return SendResult.unknown(
                    m.index(),
                    "the store did not confirm it within " + p.timeout().toMillis() + " ms: it may have been"
                            + " stored, and will then be delivered");
        } catch (ExecutionException e) {
            return SendResult.refused(m.index(), String.valueOf(e.getCause().getMessage()));
        }
        if (p.waitFor().equals("accepted")) return SendResult.ok(m.index(), id.toString(), "ACCEPTED");
        try {
            Outcome o = get(m.receipt().processed(), m.deadlineNanos());
            return SendResult.ok(m.index(), id.toString(), o.name());
        } catch (TimeoutException e) {
            return SendResult.stored(
                    m.index(),
                    id.toString(),
                    "it was not processed within " + p.timeout().toMillis() + " ms; it stays queued and will be"
                            + " delivered");
        } catch (ExecutionException e) {
            return SendResult.stored(
                    m.index(), id.toString(), String.valueOf(e.getCause().getMessage()));
        }
    }

    /** The HTTP status of a single-message answer. */
    static int status(SendResult r, Pending m) {
        return switch (r.kind()) {
            case OK -> r.outcome().equals("QUEUED") ? 202 : 200;
            case STORED, UNKNOWN -> 504;
            case REFUSED -> {
                TetherException e = m.refusal();
                if (e instanceof QueueFullException || e instanceof NodeClosedException) yield 503;
                yield e == null || e instanceof StoreException ? 500 : 400;
            }
        };
    }

    private OutboundMessage message(byte[] payload, Params p) {
        OutboundMessage.Builder m =
                OutboundMessage.to(NodeId.of(p.to())).lane(p.lane()).payload(payload);
        for (String h : p.headers()) {
            int colon = h.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("header must be NAME:VALUE, was '" + h + "'");
            m.header(h.substring(0, colon), h.substring(colon + 1));
        }
        if (p.ttlMs() != null) m.ttl(Duration.ofMillis(p.ttlMs()));
        return m.build();
    }

    private static <T> T get(Future<T> f, long deadline) throws TimeoutException, ExecutionException {
        long wait = deadline - System.nanoTime();
        try {
            return f.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted");
        }
    }

    /** The longest wait a request may ask for: a day (longer ones would overflow the deadline arithmetic). */
    static final long MAX_TIMEOUT_MS = 86_400_000;

    /**
     * A request's {@code timeoutMs}.
     *
     * @throws HttpError 400 unless it is 1..{@value #MAX_TIMEOUT_MS}
     */
    static long timeoutMs(String v) throws HttpError {
        try {
            long n = Long.parseLong(v);
            if (n > 0 && n <= MAX_TIMEOUT_MS) return n;
        } catch (NumberFormatException e) {
            // named below
        }
        throw new HttpError(400, "timeoutMs must be 1.." + MAX_TIMEOUT_MS + " milliseconds, was '" + v + "'");
    }

    private static long positive(String name, String v) throws HttpError {
        try {
            long n = Long.parseLong(v);
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // named below
        }
        throw new HttpError(400, name + " must be a positive number of milliseconds, was '" + v + "'");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
