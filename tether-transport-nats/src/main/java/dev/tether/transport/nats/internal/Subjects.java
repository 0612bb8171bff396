package dev.tether.transport.nats.internal;

import dev.tether.NodeId;
import java.util.regex.Pattern;

/**
 * The NATS subjects of one Tether deployment. All subjects start with a prefix of one or more tokens; under it
 * {@code <prefix>.presence} carries announcements and goodbyes, and {@code <prefix>.to.<node>} carries frames and
 * hellos addressed to one node.
 *
 * <p>Node ids may contain dots, NATS's token separator, so {@link #encodeToken} escapes them: {@code _} becomes
 * {@code __} and {@code .} becomes {@code _d}. The result uses only {@code [A-Za-z0-9_-]}, is one token, and two
 * different ids never share a token (the escape is prefix-free, so it decodes uniquely). Stateless and thread-safe.
 */
public final class Subjects {
    /** Longest accepted prefix, in characters. */
    public static final int MAX_PREFIX_LENGTH = 128;

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private final String prefix;
    private final String presence;

    /** @throws IllegalArgumentException if {@code prefix} is not 1-128 characters of dot-separated tokens */
    public Subjects(String prefix) {
        this.prefix = validatePrefix(prefix);
        this.presence = prefix + ".presence";
    }

    /**
     * Returns {@code prefix} if it is valid.
     *
     * @throws IllegalArgumentException naming the problem otherwise
     */
    public static String validatePrefix(String prefix) {
        if (prefix == null) throw new IllegalArgumentException("subject prefix must not be null");
        if (prefix.length() > MAX_PREFIX_LENGTH || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("invalid subject prefix '" + printable(prefix) + "': expected 1-"
                    + MAX_PREFIX_LENGTH + " characters of dot-separated tokens from [A-Za-z0-9_-]");
        }
        return prefix;
    }

    /** The prefix all subjects start with. */
    public String prefix() {
        return prefix;
    }

    /** The subject of announcements and goodbyes, which every node subscribes to. */
    public String presence() {
        return presence;
    }

    /** The subject of frames and hellos addressed to {@code node}. */
    public String inbox(NodeId node) {
        return prefix + ".to." + encodeToken(node.value());
    }

    /** Encodes a node id (characters {@code [A-Za-z0-9._-]}) as one subject token. */
    public static String encodeToken(String id) {
        StringBuilder b = new StringBuilder(id.length() + 8);
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '_') b.append("__");
            else if (c == '.') b.append("_d");
            else b.append(c);
        }
        return b.toString();
    }

    /**
     * Decodes a token made by {@link #encodeToken}.
     *
     * @throws IllegalArgumentException if {@code token} contains an escape {@link #encodeToken} never makes
     */
    public static String decodeToken(String token) {
        StringBuilder b = new StringBuilder(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c != '_') {
                b.append(c);
                continue;
            }
            char next = i + 1 < token.length() ? token.charAt(i + 1) : 0;
            if (next == '_') b.append('_');
            else if (next == 'd') b.append('.');
            else throw new IllegalArgumentException("invalid escape in subject token '" + printable(token) + "'");
            i++;
        }
        return b.toString();
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (s.length() > 80) b.append("...");
        return b.toString();
    }
}
