package dev.tether.cli;

import dev.tether.TetherNode;
import dev.tether.bus.InvalidRuleException;
import dev.tether.bus.RoutingRules;
import dev.tether.bus.Rule;
import dev.tether.bus.RuleStats;
import dev.tether.node.Tether;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A node's routing rules over HTTP on the admin endpoint (docs/OPERATIONS.md, "Routing rules"; docs/MESSAGING.md,
 * "Routing rules"), rules in their textual form ({@link Rule#toText}):
 *
 * <ul>
 *   <li>{@code GET /mgmt/bus/rules[?format=text]}: every rule in evaluation order with its counters
 *   <li>{@code POST /mgmt/bus/rules?rule=TEXT[&replace=1]} (or the text as the request body): adds (replaces) a rule
 *   <li>{@code DELETE /mgmt/bus/rules/NAME}; {@code POST /mgmt/bus/rules/NAME/enable}, {@code .../disable}
 * </ul>
 *
 * Each change is stored by the node before it is answered. Bad input (a rule that does not parse or is invalid, a
 * duplicate name, an unknown rule) is 400 naming the field and the problem, and changes nothing; a wrong method 405.
 * Thread-safe: each request on its connection's thread.
 */
final class RuleRoutes {
    static final String PATH = "/mgmt/bus/rules";

    private final RoutingRules rules;

    RuleRoutes(TetherNode node) {
        this.rules = Tether.bus(node).rules();
    }

    /** Whether {@code path} is one of these routes. */
    static boolean handles(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    /** Answers {@code method path} with query {@code q} and request body {@code body} (empty if none). */
    CallRoutes.Answer handle(String method, String path, Map<String, List<String>> q, String body) throws HttpError {
        try {
            if (path.equals(PATH) && method.equals("GET")) return list(q);
            if (path.equals(PATH)) QueryParameters.allowOnly(q, PATH, "rule", "replace");
            else QueryParameters.allowOnly(q, path);
            if (path.equals(PATH)) return add(method, q, body);
            String[] rest = path.substring(PATH.length() + 1).split("/", -1);
            if (rest.length == 1) {
                requireMethod(method, "DELETE");
                return done(q, "removed", rest[0], rules.remove(rest[0]));
            }
            if (rest.length == 2 && (rest[1].equals("enable") || rest[1].equals("disable"))) {
                requireMethod(method, "POST");
                boolean on = rest[1].equals("enable");
                return done(
                        q, on ? "enabled" : "disabled", rest[0], on ? rules.enable(rest[0]) : rules.disable(rest[0]));
            }
            throw new HttpError(
                    404,
                    "no such routing rules endpoint: " + path + " (try GET or POST " + PATH + ", DELETE " + PATH
                            + "/NAME, POST " + PATH + "/NAME/enable or /disable)");
        } catch (InvalidRuleException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    private CallRoutes.Answer list(Map<String, List<String>> q) {
        List<Rule> list = rules.list();
        Map<String, RuleStats> stats = new HashMap<>();
        for (RuleStats s : rules.stats()) stats.put(s.name(), s);
        if (text(q)) {
            StringBuilder b = new StringBuilder();
            if (list.isEmpty()) b.append("no routing rules\n");
            for (Rule r : list) {
                RuleStats s = stats.get(r.name());
                b.append(String.format(
                        Locale.ROOT,
                        "%s  matched %d  errors %d%n",
                        r.toText(),
                        s == null ? 0 : s.matched(),
                        s == null ? 0 : s.errors()));
            }
            return new CallRoutes.Answer(
                    200, "text/plain; charset=utf-8", b.toString().getBytes(StandardCharsets.UTF_8));
        }
        return ok(json(list, stats));
    }

    /** {@code rules}' rules in evaluation order with their counters, as {@code GET} answers them. */
    static String json(RoutingRules rules) {
        Map<String, RuleStats> stats = new HashMap<>();
        for (RuleStats s : rules.stats()) stats.put(s.name(), s);
        return json(rules.list(), stats);
    }

    private static String json(List<Rule> list, Map<String, RuleStats> stats) {
        return ManagementJson.array(list, r -> {
            RuleStats s = stats.get(r.name());
            return Json.object()
                    .put("name", r.name())
                    .put("priority", r.priority())
                    .put("enabled", r.isEnabled())
                    .put("match", r.match().toString())
                    .put("action", r.action().toString())
                    .put("text", r.toText())
                    .put("matched", s == null ? 0 : s.matched())
                    .put("errors", s == null ? 0 : s.errors());
        });
    }

    private CallRoutes.Answer add(String method, Map<String, List<String>> q, String body) throws HttpError {
        requireMethod(method, "POST");
        String text = AdminServer.first(q, "rule", null);
        if (text == null) text = body.strip();
        if (text.isEmpty()) throw new HttpError(400, "give the rule's text as rule=TEXT or as the request body");
        Rule r = Rule.parse(text);
        boolean replace = "1".equals(AdminServer.first(q, "replace", null));
        if (replace) rules.replace(r);
        else rules.add(r);
        String what = replace ? "replaced" : "added";
        if (text(q)) return text(what + " " + r.name() + ": " + r.toText() + "\n");
        return ok(Json.object().put(what, r.name()).put("text", r.toText()).toString());
    }

    /** A rule removed, enabled or disabled: {@code {"removed":NAME}}, or {@code removed NAME} with format=text. */
    private static CallRoutes.Answer done(Map<String, List<String>> q, String what, String name, boolean existed)
            throws HttpError {
        if (!existed) throw new HttpError(400, "no routing rule named '" + name + "'");
        if (text(q)) return text(what + " " + name + "\n");
        return ok(Json.object().put(what, name).toString());
    }

    private static boolean text(Map<String, List<String>> q) {
        return "text".equals(AdminServer.first(q, "format", "json"));
    }

    private static CallRoutes.Answer text(String body) {
        return new CallRoutes.Answer(200, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void requireMethod(String method, String expected) throws HttpError {
        if (!method.equals(expected)) throw new HttpError(405, "use " + expected + ", not " + method);
    }

    private static CallRoutes.Answer ok(String json) {
        return new CallRoutes.Answer(200, "application/json", (json + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
