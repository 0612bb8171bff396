package dev.tether.bus;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a routing {@link Rule} applies to: every field given must hold (docs/MESSAGING.md, "Routing rules"). Fields
 * left out match anything; a field given does not match a message that has no such value (a {@link #recipient}
 * pattern never matches node-level traffic, a {@link #handler} pattern never matches a plain send). Immutable: each
 * method returns a new match. Each pattern is checked when it is given, and a bad one throws {@link
 * InvalidRuleException} naming the field.
 *
 * <p>Fields: {@link #kind} (start with {@link #kind(MessageKind...)} or {@link #any()}), {@link #senderNode}, {@link
 * #senderAgent} (the sending endpoint's name; a message sent by a node itself has none), {@link #recipient} (the
 * endpoint of this node it is addressed to), {@link #channel} (of a publish), {@link #handler} (the called handler of
 * a request or tell), {@link #lane} (the application's lane, or the sub-lane of a message to an endpoint), and any
 * number of {@link #header}s (application headers only).
 */
public final class Match {
    /** Most header patterns in one match. */
    public static final int MAX_HEADERS = 16;

    private static final Match ANY = new Match(Set.of(), null, null, null, null, null, null, Map.of());

    private final Set<MessageKind> kinds;
    private final TextPattern senderNode;
    private final TextPattern senderAgent;
    private final TextPattern recipient;
    private final TextPattern channel;
    private final TextPattern handler;
    private final TextPattern lane;
    private final Map<String, TextPattern> headers;

    private Match(
            Set<MessageKind> kinds,
            TextPattern senderNode,
            TextPattern senderAgent,
            TextPattern recipient,
            TextPattern channel,
            TextPattern handler,
            TextPattern lane,
            Map<String, TextPattern> headers) {
        this.kinds = kinds;
        this.senderNode = senderNode;
        this.senderAgent = senderAgent;
        this.recipient = recipient;
        this.channel = channel;
        this.handler = handler;
        this.lane = lane;
        this.headers = headers;
    }

    /** Matches every message a rule may see. */
    public static Match any() {
        return ANY;
    }

    /** Matches messages of any of {@code kinds}. */
    public static Match kind(MessageKind... kinds) {
        Objects.requireNonNull(kinds, "kinds");
        if (kinds.length == 0) throw new InvalidRuleException(null, "match.kind", "no kind given");
        EnumSet<MessageKind> s = EnumSet.noneOf(MessageKind.class);
        for (MessageKind k : kinds) s.add(Objects.requireNonNull(k, "kind"));
        Set<MessageKind> k = s.size() == MessageKind.values().length ? Set.of() : Collections.unmodifiableSet(s);
        return ANY.with(k, null, null, null, null, null, null, null);
    }

    /** The sending node's id matches {@code p}. */
    public Match senderNode(TextPattern p) {
        return with(null, checked("senderNode", p), null, null, null, null, null, null);
    }

    /** The sending endpoint's name matches {@code p} (a message sent by a node itself, not an endpoint, never does). */
    public Match senderAgent(TextPattern p) {
        return with(null, null, checked("senderAgent", p), null, null, null, null, null);
    }

    /** Sent by {@code a}: its node exactly, and its agent exactly unless {@code a} names a node. */
    public Match sender(Address a) {
        Objects.requireNonNull(a, "sender");
        Match m = senderNode(TextPattern.exact(a.node().value()));
        return a.isNode() ? m : m.senderAgent(TextPattern.exact(a.agent()));
    }

    /** The endpoint of this node it is addressed to matches {@code p} (node-level traffic never does). */
    public Match recipient(TextPattern p) {
        return with(null, null, null, checked("recipient", p), null, null, null, null);
    }

    /** The channel it was published on matches {@code p} (only {@link MessageKind#PUBLISH} messages have one). */
    public Match channel(TextPattern p) {
        return with(null, null, null, null, checked("channel", p), null, null, null);
    }

    /** The called handler matches {@code p} (only requests and tells have one). */
    public Match handler(TextPattern p) {
        return with(null, null, null, null, null, checked("handler", p), null, null);
    }

    /**
     * The application's lane matches {@code p}: the lane of a message to the node, the sub-lane of a message to an
     * endpoint (none if it has no sub-lane).
     */
    public Match lane(TextPattern p) {
        return with(null, null, null, null, null, null, checked("lane", p), null);
    }

    /** Application header {@code name} is present and its value matches {@code p}; replaces a pattern for it. */
    public Match header(String name, TextPattern p) {
        Objects.requireNonNull(name, "header name");
        if (name.isEmpty() || name.charAt(0) == ':' || name.length() > 64) {
            throw new InvalidRuleException(
                    null,
                    "match.header",
                    "header name '" + name + "': expected 1-64 characters, not starting with ':'");
        }
        TreeMap<String, TextPattern> h = new TreeMap<>(headers);
        h.put(name, checked("header." + name, p));
        if (h.size() > MAX_HEADERS) {
            throw new InvalidRuleException(null, "match.header", "more than " + MAX_HEADERS + " header patterns");
        }
        return with(null, null, null, null, null, null, null, Collections.unmodifiableMap(h));
    }

    private static TextPattern checked(String field, TextPattern p) {
        Objects.requireNonNull(p, field);
        String problem = p.problem();
        if (problem != null) throw new InvalidRuleException(null, "match." + field, problem);
        return p;
    }

    private Match with(
            Set<MessageKind> k,
            TextPattern sn,
            TextPattern sa,
            TextPattern r,
            TextPattern c,
            TextPattern h,
            TextPattern l,
            Map<String, TextPattern> hs) {
        return new Match(
                k != null ? k : kinds,
                sn != null ? sn : senderNode,
                sa != null ? sa : senderAgent,
                r != null ? r : recipient,
                c != null ? c : channel,
                h != null ? h : handler,
                l != null ? l : lane,
                hs != null ? hs : headers);
    }

    /** The kinds matched; empty for every kind. */
    public Set<MessageKind> kinds() {
        return kinds;
    }

    /** Null where the field is not constrained. */
    public TextPattern senderNode() {
        return senderNode;
    }

    /** Null where the field is not constrained. */
    public TextPattern senderAgent() {
        return senderAgent;
    }

    /** Null where the field is not constrained. */
    public TextPattern recipient() {
        return recipient;
    }

    /** Null where the field is not constrained. */
    public TextPattern channel() {
        return channel;
    }

    /** Null where the field is not constrained. */
    public TextPattern handler() {
        return handler;
    }

    /** Null where the field is not constrained. */
    public TextPattern lane() {
        return lane;
    }

    /** Header patterns by header name, sorted by name. */
    public Map<String, TextPattern> headers() {
        return headers;
    }

    /** Whether this match admits kind {@code k}. */
    public boolean admits(MessageKind k) {
        return kinds.isEmpty() || kinds.contains(k);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Match m
                && m.kinds.equals(kinds)
                && Objects.equals(m.senderNode, senderNode)
                && Objects.equals(m.senderAgent, senderAgent)
                && Objects.equals(m.recipient, recipient)
                && Objects.equals(m.channel, channel)
                && Objects.equals(m.handler, handler)
                && Objects.equals(m.lane, lane)
                && m.headers.equals(headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kinds, senderNode, senderAgent, recipient, channel, handler, lane, headers);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Match[");
        if (!kinds.isEmpty()) b.append("kind=").append(kinds).append(' ');
        field(b, "senderNode", senderNode);
        field(b, "senderAgent", senderAgent);
        field(b, "recipient", recipient);
        field(b, "channel", channel);
        field(b, "handler", handler);
        field(b, "lane", lane);
        headers.forEach((n, p) -> field(b, "header." + n, p));
        if (b.charAt(b.length() - 1) == ' ') b.setLength(b.length() - 1);
        return b.append(']').toString();
    }

    private static void field(StringBuilder b, String name, TextPattern p) {
        if (p != null) b.append(name).append('=').append(p).append(' ');
    }
}
