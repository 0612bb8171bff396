package dev.tether.transport.nats.internal;

import dev.tether.InvalidConfigException;
import dev.tether.NodeId;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The NATS subjects of one Tether deployment. Every subject starts with a prefix of one or more tokens and ends
 * with the token of the node that publishes on it: {@code <prefix>.presence.<sender>} carries announcements and
 * goodbyes, {@code <prefix>.to.<receiver>.<sender>} carries frames and hellos addressed to one node. Because the
 * sender is part of the subject, NATS subject permissions can restrict a node to publishing under its own id
 * ({@link #publishPermissions}); the receiver checks that the sender an envelope claims is the one its subject names.
 *
 * <p>Node ids may contain dots, NATS's token separator, so {@link #encodeToken} escapes them: {@code _} becomes
 * {@code __} and {@code .} becomes {@code _d}. The result uses only {@code [A-Za-z0-9_-]}, is one token, and two
 * different ids never share a token (the escape is prefix-free, so it decodes uniquely). Stateless and thread-safe.
 */
public final class Subjects {
    /** Longest accepted prefix, in characters. */
    public static final int MAX_PREFIX_LENGTH = 128;

    /**
     * How the sender token of an identity check starts: {@link #encodeToken} follows {@code _} only with {@code _} or
     * {@code d}, so no node id encodes to a token starting with {@code _c}.
     */
    static final String CHECK_TOKEN = "_check";

    /** The token after the prefix in every inbox subject; no prefix may end with it. */
    static final String INBOX_TOKEN = "to";

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private final String prefix;
    /** {@code <prefix>.presence.}: every presence subject starts with it, the sender's token follows. */
    private final String presenceStart;
    /** {@code <prefix>.to.}: every inbox subject starts with it. */
    private final String inboxStart;

    /** @throws IllegalArgumentException if {@code prefix} is not 1-128 characters of dot-separated tokens */
    public Subjects(String prefix) {
        this.prefix = validatePrefix(prefix);
        this.presenceStart = prefix + ".presence.";
        this.inboxStart = prefix + ".to.";
    }

    /**
     * Returns {@code prefix} if it is valid.
     *
     * <p>Its last token must not be {@value #INBOX_TOKEN}: prefixes {@code P} and {@code P.to} would nest, because
     * {@code P.to.presence.<s>}, the presence subject of the second, is also the first's inbox of a node named
     * {@code presence}, and its publish permission {@code P.to.*.<s>} covers the second's presence subject of
     * {@code <s>}. That is the only overlap of the layout: presence subjects are the prefix plus two tokens, inbox
     * subjects plus three, so two different prefixes share a subject only if one is the other plus the token
     * {@value #INBOX_TOKEN}.
     *
     * @throws IllegalArgumentException naming the problem if it is not 1-128 characters of dot-separated tokens
     * @throws InvalidConfigException if its last token is {@value #INBOX_TOKEN}
     */
    public static String validatePrefix(String prefix) {
        if (prefix == null) throw new IllegalArgumentException("subject prefix must not be null");
        if (prefix.length() > MAX_PREFIX_LENGTH || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("invalid subject prefix '" + printable(prefix) + "': expected 1-"
                    + MAX_PREFIX_LENGTH + " characters of dot-separated tokens from [A-Za-z0-9_-]");
        }
        if (prefix.equals(INBOX_TOKEN) || prefix.endsWith("." + INBOX_TOKEN)) {
            throw new InvalidConfigException("subject prefix '" + prefix + "' ends with the token '" + INBOX_TOKEN
                    + "': its subjects would overlap those of the prefix before it (prefixes must not nest)");
        }
        return prefix;
    }

    /** The prefix all subjects start with. */
    public String prefix() {
        return prefix;
    }

    /** The subject {@code sender} publishes its announcements and goodbyes on. */
    public String presence(NodeId sender) {
        return presenceStart + encodeToken(sender.value());
    }

    /** What every node subscribes to for presence: {@code <prefix>.presence.*}. */
    public String allPresence() {
        return presenceStart + "*";
    }

    /** The subject of frames and hellos from {@code sender} to {@code receiver}. */
    public String inbox(NodeId receiver, NodeId sender) {
        return inboxOf(receiver) + encodeToken(sender.value());
    }

    /** What {@code receiver} subscribes to for its frames and hellos: {@code <prefix>.to.<receiver>.*}. */
    public String inboxWildcard(NodeId receiver) {
        return inboxOf(receiver) + "*";
    }

    /** {@code <prefix>.to.<receiver>.}: the start of every subject addressed to {@code receiver}. */
    public String inboxOf(NodeId receiver) {
        return inboxStart + encodeToken(receiver.value()) + ".";
    }

    /** {@code <prefix>.presence.}: the start of every presence subject. */
    public String presenceStart() {
        return presenceStart;
    }

    /**
     * The subjects of an identity check ({@link IdentityCheck}) with {@code nonce}: one presence subject and one inbox
     * subject, each naming as its sender a token no node id encodes to (it starts with {@value #CHECK_TOKEN}), so
     * that a server enforcing per-node permissions refuses them and, if it does not, nobody receives the inbox one.
     */
    public List<String> identityCheck(long nonce) {
        String token = CHECK_TOKEN + Long.toHexString(nonce);
        return List.of(presenceStart + token, inboxStart + token + "." + token);
    }

    /** Whether {@code subject} is one of this prefix's identity check subjects. */
    public boolean isIdentityCheck(String subject) {
        return subject.startsWith(presenceStart + CHECK_TOKEN) || subject.startsWith(inboxStart + CHECK_TOKEN);
    }

    /** Whether the token starting at {@code start} of {@code subject} is an identity check's. */
    static boolean isCheckToken(String subject, int start) {
        return subject.startsWith(CHECK_TOKEN, start);
    }

    /** The subjects {@code node} must be allowed to publish on, and no others need be. */
    public List<String> publishPermissions(NodeId node) {
        String token = encodeToken(node.value());
        return List.of(presenceStart + token, inboxStart + "*." + token);
    }

    /** The subjects {@code node} must be allowed to subscribe to, and no others need be. */
    public List<String> subscribePermissions(NodeId node) {
        return List.of(allPresence(), inboxWildcard(node));
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
     * Whether {@code subject}, from index {@code start} to its end, is exactly the token of {@code id}; without
     * allocating, as it runs for every received message.
     */
    public static boolean endsWithTokenOf(String subject, int start, NodeId id) {
        String v = id.value();
        int at = start;
        int n = subject.length();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '_' || c == '.') {
                if (at + 1 >= n || subject.charAt(at) != '_' || subject.charAt(at + 1) != (c == '_' ? '_' : 'd')) {
                    return false;
                }
                at += 2;
            } else {
                if (at >= n || subject.charAt(at) != c) return false;
                at++;
            }
        }
        return at == n;
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
