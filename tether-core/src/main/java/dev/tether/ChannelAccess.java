package dev.tether;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Who may read and who may write one channel ({@code TetherNode.channelAccess}): each an allow-list of node id
 * patterns, where {@code *} stands for any run of characters ({@code "sensor-*"}, {@code "*"}); an empty list allows
 * every node. Immutable.
 *
 * <p>Every node of an application sets the same access for a channel, at every start (it is not stored), and each
 * checks it where it can, always against the node id the transport authenticated, never one a message claims:
 *
 * <ul>
 *   <li>a node's own {@code join} with a role it is not allowed fails with {@link ChannelAccessDeniedException}, and so
 *       does its {@code publish} if it may not write;
 *   <li>a publisher refuses the join of a node that may not read: it does not make it a reader of its log, raises
 *       {@link TetherEvent.ChannelJoinRefused}, and settles the join as {@link Outcome#DROPPED}, which fails the
 *       joiner's {@code join} with {@link ChannelAccessDeniedException} once the joiner left the channel again;
 *   <li>a reader drops a message of the channel from a publisher that may not write, without handing it to the
 *       application, and raises {@link TetherEvent.ChannelMessageRefused}.
 * </ul>
 *
 * @param readers patterns of the nodes that may join with a role that reads (empty: any)
 * @param writers patterns of the nodes that may join with a role that writes, and publish (empty: any)
 */
public record ChannelAccess(List<String> readers, List<String> writers) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._*-]{1," + NodeId.MAX_LENGTH + "}");
    private static final ChannelAccess ANYONE = new ChannelAccess(List.of(), List.of());

    /**
     * Copies and checks the patterns.
     *
     * @throws IllegalArgumentException if a pattern is not 1-64 characters from {@code [A-Za-z0-9._-]} and {@code *}
     */
    public ChannelAccess {
        readers = checked(readers, "reader");
        writers = checked(writers, "writer");
    }

    /** Every node may read and write. */
    public static ChannelAccess anyone() {
        return ANYONE;
    }

    /** This access with only the nodes matching {@code patterns} allowed to read. */
    public ChannelAccess withReaders(String... patterns) {
        return new ChannelAccess(List.of(patterns), writers);
    }

    /** This access with only the nodes matching {@code patterns} allowed to write. */
    public ChannelAccess withWriters(String... patterns) {
        return new ChannelAccess(readers, List.of(patterns));
    }

    /** Whether {@code node} may join with a role that reads. */
    public boolean mayRead(NodeId node) {
        return allows(readers, node);
    }

    /** Whether {@code node} may join with a role that writes, and publish. */
    public boolean mayWrite(NodeId node) {
        return allows(writers, node);
    }

    /** Whether {@code node} may join with {@code role}. */
    public boolean mayJoin(NodeId node, ChannelRole role) {
        return (!role.reads() || mayRead(node)) && (!role.writes() || mayWrite(node));
    }

    private static boolean allows(List<String> patterns, NodeId node) {
        if (patterns.isEmpty()) return true;
        for (String p : patterns) {
            if (matches(p, node.value())) return true;
        }
        return false;
    }

    /**
     * Glob match with {@code *} only, in time linear in the product of the lengths whatever the id a peer connects
     * with (a reader checks every channel message on the node thread): the algorithm of {@code
     * dev.tether.internal.runtime.Glob} (this package depends on no other), which explains it; ChannelAccessPatternsTest
     * checks that both agree.
     */
    static boolean matches(String pattern, String id) {
        int p = 0, t = 0;
        int star = -1, starText = 0;
        while (t < id.length()) {
            char c = p < pattern.length() ? pattern.charAt(p) : 0;
            if (c == '*') {
                star = p++;
                starText = t;
            } else if (p < pattern.length() && c == id.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++starText;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') p++;
        return p == pattern.length();
    }

    private static List<String> checked(List<String> patterns, String what) {
        List<String> copy = List.copyOf(patterns);
        for (String p : copy) {
            if (!VALID.matcher(p).matches()) {
                throw new IllegalArgumentException("invalid " + what + " pattern '" + Lanes.printable(p)
                        + "': expected 1-" + NodeId.MAX_LENGTH + " characters from [A-Za-z0-9._-] and *");
            }
        }
        return copy;
    }
}
