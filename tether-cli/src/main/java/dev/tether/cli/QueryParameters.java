package dev.tether.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query parameters a request that changes something takes. A parameter the route does not know is refused
 * (400) rather than ignored: ignoring it turns a narrow change into a broad one ({@code kick?node=d&chanel=news}
 * would kick d from the cluster and purge its outbox; {@code purge?peer=d&Lane=x} every lane of d; {@code
 * send?ttl=5000} a send with no TTL). {@code token} and {@code format} are taken by every route. Stateless.
 */
final class QueryParameters {
    private static final Set<String> ALWAYS = Set.of("token", "format");

    private QueryParameters() {}

    /**
     * Refuses {@code q} if it has a parameter other than {@code known} (and those every route takes).
     *
     * @throws HttpError 400 naming the unknown parameters and listing the valid ones; nothing was done
     */
    static void allowOnly(Map<String, List<String>> q, String route, String... known) throws HttpError {
        Set<String> valid = Set.of(known);
        List<String> unknown = new ArrayList<>();
        for (String k : q.keySet()) {
            if (!valid.contains(k) && !ALWAYS.contains(k)) unknown.add(k);
        }
        if (unknown.isEmpty()) return;
        Set<String> listed = new TreeSet<>(valid);
        listed.addAll(ALWAYS);
        throw new HttpError(
                400,
                route + ": unknown query parameter" + (unknown.size() == 1 ? " " : "s ") + quoted(unknown)
                        + ", nothing was done (valid: " + String.join(", ", listed) + ")");
    }

    private static String quoted(List<String> names) {
        List<String> q = new ArrayList<>();
        for (String n : names) q.add("'" + (n.length() > 40 ? n.substring(0, 40) + "..." : n) + "'");
        return String.join(", ", q);
    }
}
