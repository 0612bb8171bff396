package dev.tether.internal.call;

import dev.tether.InvalidIdException;
import dev.tether.bus.Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The system handler {@code _list_endpoints} (docs/PROTOCOL.md, "System handlers"): a node's endpoints, by pages in name
 * order, for the ones its {@code _hello} cannot list ({@link Advertisement#MAX_ENDPOINTS}). The request is UTF-8 text,
 * {@code tether-list-endpoints 1}, then optionally {@code from <name>} (the page starts at the first name not below
 * it) and {@code max <n>} (1 to {@link #MAX_PAGE}, default {@link #MAX_PAGE}); the answer {@code tether-endpoints 1},
 * {@code endpoints <names>} (sorted, space-separated, at most {@code max}) and {@code more 1} if names follow the page.
 * Unknown lines are skipped in both, so later versions can add some.
 */
final class EndpointPages {
    static final String HANDLER = "_list_endpoints";
    static final String REQUEST_FORMAT = "tether-list-endpoints 1";
    static final String PAGE_FORMAT = "tether-endpoints 1";

    /** The most names one page lists (about 135 KB at the longest names). */
    static final int MAX_PAGE = Advertisement.MAX_ENDPOINTS;

    /** The largest request accepted, in bytes: far above any valid one. */
    static final int MAX_REQUEST_BYTES = 1024;

    private EndpointPages() {}

    /** A request: names from {@code from} (null: the first), at most {@code max}. */
    record Request(String from, int max) {
        byte[] encode() {
            StringBuilder b = new StringBuilder(REQUEST_FORMAT).append('\n');
            if (from != null) b.append("from ").append(from).append('\n');
            b.append("max ").append(max).append('\n');
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A page: {@code names} sorted, {@code more} if the node has names after them. */
    record Page(List<String> names, boolean more) {
        byte[] encode() {
            StringBuilder b = new StringBuilder(32 + names.size() * 12)
                    .append(PAGE_FORMAT)
                    .append('\n');
            b.append("endpoints ").append(String.join(" ", names)).append('\n');
            if (more) b.append("more 1\n");
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Decodes and validates a request.
     *
     * @throws IllegalArgumentException naming what is wrong (too large, not this format, a bad name or page size)
     */
    static Request decodeRequest(byte[] payload) {
        if (payload.length > MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException("request of " + payload.length + " bytes, at most " + MAX_REQUEST_BYTES);
        }
        String[] lines = lines(payload, REQUEST_FORMAT);
        String[] from = {null};
        int[] max = {MAX_PAGE};
        fields(lines, (key, value) -> {
            switch (key) {
                case "from" -> from[0] = agentName("from", value);
                case "max" -> max[0] = pageSize(value);
                default -> {} // a later version's field
            }
        });
        return new Request(from[0], max[0]);
    }

    /** The page {@code request} asks for among {@code names} (any order; not changed). */
    static Page page(List<String> names, Request request) {
        List<String> sorted = new ArrayList<>(names);
        Collections.sort(sorted);
        int start = 0;
        if (request.from() != null) {
            int i = Collections.binarySearch(sorted, request.from());
            start = i >= 0 ? i : -i - 1;
        }
        int end = Math.min(sorted.size(), start + request.max());
        return new Page(List.copyOf(sorted.subList(start, end)), end < sorted.size());
    }

    /**
     * Decodes and validates the answer to {@code request}: names valid and not reserved, strictly ascending, none
     * below {@code request.from()}, at most {@code request.max()}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Page decodePage(byte[] payload, Request request) {
        String[] lines = lines(payload, PAGE_FORMAT);
        List<List<String>> names = new ArrayList<>(List.of(List.of()));
        boolean[] more = {false};
        fields(lines, (key, value) -> {
            switch (key) {
                case "endpoints" -> names.set(0, names(value, request));
                case "more" -> more[0] = "1".equals(value);
                default -> {}
            }
        });
        return new Page(names.get(0), more[0]);
    }

    private static List<String> names(String value, Request request) {
        if (value.isEmpty()) return List.of();
        String[] parts = value.split(" ", -1);
        if (parts.length > request.max()) {
            throw new IllegalArgumentException(parts.length + " endpoints, more than the " + request.max() + " asked");
        }
        List<String> names = new ArrayList<>(parts.length);
        String previous = request.from();
        for (String n : parts) {
            agentName("endpoint", n);
            if (previous != null && n.compareTo(previous) <= 0 && !(names.isEmpty() && n.equals(previous))) {
                throw new IllegalArgumentException("endpoint '" + n + "' out of order after '" + previous + "'");
            }
            names.add(n);
            previous = n;
        }
        return List.copyOf(names);
    }

    /** Takes a {@code key value} line. */
    private interface Field {
        void accept(String key, String value);
    }

    /** Each line after the first of {@code lines} as a key and a value (empty without a space). */
    private static void fields(String[] lines, Field field) {
        for (int i = 1; i < lines.length; i++) {
            int sp = lines[i].indexOf(' ');
            field.accept(sp < 0 ? lines[i] : lines[i].substring(0, sp), sp < 0 ? "" : lines[i].substring(sp + 1));
        }
    }

    private static String[] lines(byte[] payload, String format) {
        String[] lines = new String(payload, StandardCharsets.UTF_8).split("\n", -1);
        if (!format.equals(lines[0])) throw new IllegalArgumentException("does not start with '" + format + "'");
        return lines;
    }

    private static String agentName(String what, String value) {
        try {
            return Address.requireAgentName(value);
        } catch (InvalidIdException | IllegalArgumentException e) { // invalid, or reserved
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }

    private static int pageSize(String value) {
        int max;
        try {
            max = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("max '" + cut(value) + "' is not a page size (1-" + MAX_PAGE + ")");
        }
        if (max < 1 || max > MAX_PAGE) {
            throw new IllegalArgumentException("max " + max + " is not a page size (1-" + MAX_PAGE + ")");
        }
        return max;
    }

    private static String cut(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
