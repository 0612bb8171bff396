package dev.tether.bus;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The textual form of a {@link Rule} ({@link Rule#toText}, {@link Rule#parse}): {@code field=value} pairs separated by
 * single spaces, in a fixed order, for example {@code name=no-spam priority=10 kind=direct recipient=exact:orders
 * header.spam=exact:yes action=drop}. Values are escaped: {@code %}, a space and control characters as {@code %XX}
 * (hexadecimal, UTF-16 code units below 0x80 only), so a regular expression or a reason with spaces survives.
 * Fields: {@code name} (first, required), {@code priority} (default 0), {@code enabled} ({@code true}, the default,
 * or {@code false}), {@code kind} (comma-separated kinds), {@code senderNode}, {@code senderAgent}, {@code
 * recipient}, {@code channel}, {@code handler}, {@code lane}, {@code header.NAME} (patterns in {@link
 * TextPattern#toString}'s form), {@code action} (required: {@code drop}, {@code deadLetter(REASON)}, {@code
 * deliver(agent:A)}, {@code deliver(handler:H)}, {@code forward(node:N)}, {@code forward(address:N/A)}, {@code
 * forward(channel:C)}, {@code copy(address:N/A)}, {@code copy(channel:C)}).
 */
final class RuleText {
    private RuleText() {}

    static String format(Rule r) {
        StringBuilder b = new StringBuilder();
        pair(b, "name", r.name());
        if (r.priority() != 0) pair(b, "priority", Integer.toString(r.priority()));
        if (!r.isEnabled()) pair(b, "enabled", "false");
        Match m = r.match();
        if (!m.kinds().isEmpty()) {
            List<String> k = new ArrayList<>();
            for (MessageKind kind : MessageKind.values()) {
                if (m.kinds().contains(kind)) k.add(kind.name().toLowerCase(Locale.ROOT));
            }
            pair(b, "kind", String.join(",", k));
        }
        pattern(b, "senderNode", m.senderNode());
        pattern(b, "senderAgent", m.senderAgent());
        pattern(b, "recipient", m.recipient());
        pattern(b, "channel", m.channel());
        pattern(b, "handler", m.handler());
        pattern(b, "lane", m.lane());
        m.headers().forEach((n, p) -> pattern(b, "header." + n, p));
        if (r.action() != null) pair(b, "action", r.action().toString());
        if (r.onFullDeadLetterAfter() != null) {
            pair(b, "onFull", "deadLetterAfter(" + r.onFullDeadLetterAfter().toMillis() + "ms)");
        }
        return b.toString();
    }

    private static void pattern(StringBuilder b, String field, TextPattern p) {
        if (p != null) pair(b, field, p.toString());
    }

    private static void pair(StringBuilder b, String field, String value) {
        if (b.length() > 0) b.append(' ');
        b.append(field).append('=');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' || c == ' ' || c < 0x20 || c == 0x7f) b.append(String.format(Locale.ROOT, "%%%02X", (int) c));
            else b.append(c);
        }
    }

    static Rule parse(String text) {
        if (text == null || text.isBlank()) throw new InvalidRuleException(null, "name", "missing (empty rule text)");
        Map<String, String> f = new LinkedHashMap<>();
        for (String part : text.strip().split(" +")) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw new InvalidRuleException(null, "text", "'" + part + "': expected field=value");
            String field = part.substring(0, eq);
            if (f.put(field, unescape(field, part.substring(eq + 1))) != null) {
                throw new InvalidRuleException(null, field, "given twice");
            }
        }
        String name = f.remove("name");
        if (name == null) throw new InvalidRuleException(null, "name", "missing");
        Rule r = Rule.named(name);
        try {
            String priority = f.remove("priority");
            if (priority != null) r = r.priority(integer(priority));
            String enabled = f.remove("enabled");
            if (enabled != null) r = r.enabled(bool(enabled));
            String action = f.remove("action");
            String onFull = f.remove("onFull");
            Match m = match(f);
            r = r.match(m);
            if (action == null) throw new InvalidRuleException(name, "action", "missing");
            r = r.action(action(action));
            return onFull == null ? r : r.onFullDeadLetterAfter(fullWait(onFull));
        } catch (InvalidRuleException e) {
            throw e.rule() != null ? e : new InvalidRuleException(name, e.field(), e.problem());
        }
    }

    /** {@code deadLetterAfter(NNNms)}. */
    private static java.time.Duration fullWait(String s) {
        if (s.startsWith("deadLetterAfter(") && s.endsWith("ms)")) {
            try {
                return java.time.Duration.ofMillis(Long.parseLong(s.substring(16, s.length() - 3)));
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        throw new InvalidRuleException(null, "onFull", "'" + s + "': expected deadLetterAfter(MILLISms)");
    }

    private static int integer(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new InvalidRuleException(null, "priority", "'" + s + "': expected an integer");
        }
    }

    private static boolean bool(String s) {
        if (s.equals("true") || s.equals("false")) return Boolean.parseBoolean(s);
        throw new InvalidRuleException(null, "enabled", "'" + s + "': expected true or false");
    }

    private static Match match(Map<String, String> f) {
        String kinds = f.remove("kind");
        Match m = Match.any();
        if (kinds != null) {
            List<MessageKind> k = new ArrayList<>();
            for (String s : kinds.split(",", -1)) {
                try {
                    k.add(MessageKind.valueOf(s.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidRuleException(
                            null,
                            "match.kind",
                            "'" + s + "': expected direct, request, response, publish or broadcast");
                }
            }
            m = Match.kind(k.toArray(new MessageKind[0]));
        }
        for (Map.Entry<String, String> e : f.entrySet()) {
            TextPattern p = TextPattern.parse(e.getValue());
            m = switch (e.getKey()) {
                case "senderNode" -> m.senderNode(p);
                case "senderAgent" -> m.senderAgent(p);
                case "recipient" -> m.recipient(p);
                case "channel" -> m.channel(p);
                case "handler" -> m.handler(p);
                case "lane" -> m.lane(p);
                default -> {
                    if (!e.getKey().startsWith("header.")) {
                        throw new InvalidRuleException(null, e.getKey(), "unknown field");
                    }
                    yield m.header(e.getKey().substring("header.".length()), p);
                }
            };
        }
        return m;
    }

    private static Action action(String s) {
        if (s.equals("drop")) return Action.drop();
        int open = s.indexOf('(');
        if (open < 0 || !s.endsWith(")")) {
            throw new InvalidRuleException(null, "action", "'" + s + "': expected drop or TYPE(...)");
        }
        String type = s.substring(0, open);
        String arg = s.substring(open + 1, s.length() - 1);
        if (type.equals("deadLetter")) return Action.deadLetter(arg);
        int colon = arg.indexOf(':');
        String target = colon < 0 ? "" : arg.substring(0, colon);
        String value = arg.substring(colon + 1);
        try {
            switch (type + "(" + target) {
                case "deliver(agent":
                    return Action.deliverToAgent(value);
                case "deliver(handler":
                    return Action.deliverToHandler(value);
                case "forward(node":
                    return Action.forward(NodeId.of(value));
                case "forward(address":
                    return Action.forward(Address.parse(value));
                case "forward(channel":
                    return Action.forwardToChannel(value);
                case "copy(address":
                    return Action.copy(Address.parse(value));
                case "copy(channel":
                    return Action.copyToChannel(value);
                default:
                    throw new InvalidRuleException(
                            null,
                            "action",
                            "'" + s + "': expected drop, deadLetter(REASON), deliver(agent:A|handler:H),"
                                    + " forward(node:N|address:N/A|channel:C) or copy(address:N/A|channel:C)");
            }
        } catch (InvalidIdException | IllegalArgumentException e) {
            throw new InvalidRuleException(null, "action", "'" + s + "': " + e.getMessage());
        }
    }

    private static String unescape(String field, String v) {
        if (v.indexOf('%') < 0) return v;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            int code = i + 2 < v.length()
                    ? Character.digit(v.charAt(i + 1), 16) * 16 + Character.digit(v.charAt(i + 2), 16)
                    : -1;
            if (code < 0 || Character.digit(v.charAt(i + 1), 16) < 0 || Character.digit(v.charAt(i + 2), 16) < 0) {
                throw new InvalidRuleException(null, field, "bad escape in '" + v + "': expected %XX");
            }
            b.append((char) code);
            i += 2;
        }
        return b.toString();
    }
}
