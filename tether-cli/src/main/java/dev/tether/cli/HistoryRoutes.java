package dev.tether.cli;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.bus.HistoryDirection;
import dev.tether.bus.HistoryEntry;
import dev.tether.bus.HistoryQuery;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code GET /mgmt/history} ({@link ManagementRoutes}; docs/OPERATIONS.md, "History"): the query parameters as a
 * {@link HistoryQuery} ({@code peer}, {@code agent}, {@code channel}, {@code lane}, {@code kind}, {@code direction},
 * {@code outcome}, {@code from} and {@code to} as epoch milliseconds or ISO-8601 instants, {@code since} as a duration
 * before now, {@code after}, {@code max} (default 100, at most 10,000), {@code payloads}), and the entries as JSON or
 * text. A bad value throws {@link IllegalArgumentException} naming it (400). Stateless.
 */
final class HistoryRoutes {
    private HistoryRoutes() {}

    /** The query {@code q} asks for, {@code since} counted back from {@code nowMillis}. */
    static HistoryQuery query(Map<String, List<String>> q, long nowMillis) {
        HistoryQuery.Builder b = HistoryQuery.builder().max(100);
        String peer = param(q, "peer");
        if (peer != null) b.peer(NodeId.of(peer));
        b.agent(param(q, "agent")).channel(param(q, "channel")).lane(param(q, "lane"));
        String kind = param(q, "kind");
        if (kind != null) b.kind(HistoryQuery.kindNamed(kind));
        String direction = param(q, "direction");
        if (direction != null) b.direction(named(HistoryDirection.class, "direction", direction));
        String outcome = param(q, "outcome");
        if (outcome != null) b.outcome(named(Outcome.class, "outcome", outcome));
        String since = param(q, "since");
        String from = param(q, "from");
        if (since != null && from != null) throw new IllegalArgumentException("give since or from, not both");
        if (since != null) b.from(Math.max(0, nowMillis - millis(since)));
        if (from != null) b.from(time("from", from));
        String to = param(q, "to");
        if (to != null) b.to(time("to", to));
        String after = param(q, "after");
        if (after != null) b.afterId(number("after", after));
        String max = param(q, "max");
        if (max != null) b.max((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number("max", max))));
        String payloads = param(q, "payloads");
        b.payloads(payloads != null && (payloads.equals("1") || payloads.equals("true") || payloads.isEmpty()));
        return b.build();
    }

    static Json json(HistoryEntry e) {
        Json j = Json.object()
                .put("id", e.id())
                .put("at", Instant.ofEpochMilli(e.atMillis()).toString())
                .put("direction", e.direction().name())
                .put("kind", e.kind().name())
                .put("peer", e.peer().value())
                .put("fromAgent", e.fromAgent())
                .put("toAgent", e.toAgent())
                .put("channel", e.channel())
                .put("handler", e.handler())
                .put("lane", e.lane())
                .put("seq", e.seq())
                .put("outcome", e.outcome() == null ? null : e.outcome().name())
                .put("size", e.size())
                .put("headers", e.headers())
                .put("truncated", e.truncated());
        return ManagementJson.payload(j, e.payload());
    }

    static String text(List<HistoryEntry> entries) {
        if (entries.isEmpty()) return "no history entries\n";
        StringBuilder b = new StringBuilder();
        for (HistoryEntry e : entries) {
            b.append(String.format(
                    Locale.ROOT,
                    "#%d %s %-3s %-9s %s %s#%d size=%d",
                    e.id(),
                    Instant.ofEpochMilli(e.atMillis()),
                    e.direction(),
                    e.kind(),
                    e.peer(),
                    e.lane(),
                    e.seq(),
                    e.size()));
            optional(b, "from", e.fromAgent());
            optional(b, "to", e.toAgent());
            optional(b, "channel", e.channel());
            optional(b, "handler", e.handler());
            optional(b, "outcome", e.outcome());
            if (!e.headers().isEmpty()) b.append(" headers=").append(e.headers());
            if (e.payload() != null) {
                b.append(" payload=").append(ManagementText.printable(e.payload()));
                if (e.truncated()) b.append(" (truncated)");
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static void optional(StringBuilder b, String name, Object value) {
        if (value != null) b.append(' ').append(name).append('=').append(value);
    }

    private static String param(Map<String, List<String>> q, String name) {
        return AdminServer.first(q, name, null);
    }

    private static <E extends Enum<E>> E named(Class<E> type, String what, String v) {
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown " + what + " '" + v + "': expected one of "
                    + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
        }
    }

    private static long time(String name, String v) {
        if (v.chars().allMatch(Character::isDigit) && !v.isEmpty()) return number(name, v);
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " is beyond the range of epoch milliseconds, was '" + v + "'");
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name
                    + " must be epoch milliseconds or an ISO-8601 instant (2026-12-05T20:00:00Z), was '" + v + "'");
        }
    }

    /** {@code since} in milliseconds; one beyond what a long holds is bad input, not a server error. */
    private static long millis(String since) {
        return duration(since).toMillis(); // Durations takes at most Long.MAX_VALUE nanoseconds: no overflow
    }

    private static Duration duration(String v) {
        try {
            return new Durations().convert(v);
        } catch (TypeConversionException e) {
            throw new IllegalArgumentException("since: " + e.getMessage());
        }
    }

    private static long number(String name, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, was '" + v + "'");
        }
    }
}
