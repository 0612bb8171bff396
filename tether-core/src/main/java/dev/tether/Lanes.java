package dev.tether;

/**
 * Lane names. A lane is a named, independently ordered stream between one sender and one receiver;
 * names follow the same rules as {@link NodeId}. Messages sent without a lane use {@link #DEFAULT}. Lanes whose
 * names start with {@code '_'} are reserved for Tether's own traffic (such as {@link #REPLY}): applications cannot
 * send on them.
 */
public final class Lanes {
    /** The lane used when none is given. */
    public static final String DEFAULT = "default";

    /** The reserved lane replies to calls travel on, from the called node back to the caller. */
    public static final String REPLY = "_reply";

    /**
     * Lanes starting with this prefix carry volatile streams: kept in memory only on both sides, never stored
     * (docs/MESSAGING.md, "Volatile calls"). A volatile call on lane {@code x} travels on {@code _v.x}.
     */
    public static final String VOLATILE_PREFIX = "_v.";

    /** The reserved lane replies to volatile calls travel on. */
    public static final String VOLATILE_REPLY = VOLATILE_PREFIX + REPLY;

    private Lanes() {}

    /** Whether {@code lane} carries a volatile stream (it starts with {@link #VOLATILE_PREFIX}). */
    public static boolean isVolatile(String lane) {
        return lane.startsWith(VOLATILE_PREFIX);
    }

    /**
     * The volatile lane standing for application lane {@code lane}.
     *
     * @throws IllegalArgumentException if the result would be longer than 64 characters (a volatile lane's name
     *     has at most 61)
     */
    public static String volatileLane(String lane) {
        String v = VOLATILE_PREFIX + lane;
        if (v.length() > NodeId.MAX_LENGTH) {
            throw new IllegalArgumentException("lane '" + lane + "' is too long for a volatile call: at most "
                    + (NodeId.MAX_LENGTH - VOLATILE_PREFIX.length()) + " characters");
        }
        return v;
    }

    /**
     * Returns {@code lane} if valid.
     *
     * @throws InvalidIdException if it is null, empty, longer than 64 characters or has other characters
     *     than {@code [A-Za-z0-9._-]}
     */
    public static String requireValid(String lane) {
        if (lane == null) throw new InvalidIdException("lane must not be null");
        if (!isValidName(lane)) {
            throw new InvalidIdException("invalid lane '" + printable(lane) + "': expected 1-" + NodeId.MAX_LENGTH
                    + " characters from [A-Za-z0-9._-]");
        }
        return lane;
    }

    /**
     * Returns {@code lane} if it is valid and not reserved.
     *
     * @throws InvalidIdException if it is not a valid lane name
     * @throws IllegalArgumentException if it starts with {@code '_'}, reserved for Tether's own traffic
     */
    public static String requireApplicationLane(String lane) {
        requireValid(lane);
        if (lane.charAt(0) == '_') {
            throw new IllegalArgumentException("lane '" + lane + "' starts with '_', which is reserved for Tether's"
                    + " own traffic (such as call replies on " + REPLY + ")");
        }
        return lane;
    }

    /** Whether {@code lane} is a valid lane name (reserved or not); false for null. */
    public static boolean isValid(String lane) {
        return lane != null && isValidName(lane);
    }

    /** True if {@code s} has 1 to 64 characters, all from {@code [A-Za-z0-9._-]}. On the send path: no regex. */
    static boolean isValidName(String s) {
        int n = s.length();
        if (n < 1 || n > NodeId.MAX_LENGTH) return false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            if (!ok) return false;
        }
        return true;
    }

    static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder b = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}
