package dev.tether;

/**
 * Message priority levels (docs/MESSAGING.md, "Priority"): 0 (lowest) to 7 (highest), default 4. Under contention a
 * node stores, transmits and delivers the streams with higher-priority messages waiting first, weighted rather than
 * strictly (a level gets {@code 2^level} turns for each turn of level 0), and never reorders a stream: a message of
 * level 7 behind messages of level 0 on its stream raises the whole stream to level 7 until it has gone past.
 *
 * <p>A message's level is its own ({@link OutboundMessage.Builder#priority}), else its lane's ({@code
 * TetherConfig.Builder.lanePriority}) at the sender; it travels with the message in the reserved header {@value
 * #HEADER} (one digit, only when not {@value #DEFAULT}), so the receiver needs no configuration.
 */
public final class Priority {
    /** The lowest level: one turn for every {@code 2^level} of another level with work. */
    public static final int LOWEST = 0;

    /** The level of a message with no priority of its own on a lane without one. */
    public static final int DEFAULT = 4;

    /** The highest level. */
    public static final int HIGHEST = 7;

    /** The reserved header carrying a level other than {@link #DEFAULT}: one digit {@code 0}-{@code 7}. */
    public static final String HEADER = ":p";

    private static final String[] DIGITS = {"0", "1", "2", "3", "4", "5", "6", "7"};

    private Priority() {}

    /**
     * Returns {@code level} if it is a priority level.
     *
     * @throws IllegalArgumentException if it is outside 0-7
     */
    public static int require(int level) {
        if (level < LOWEST || level > HIGHEST) {
            throw new IllegalArgumentException("priority must be 0 (lowest) to 7 (highest), default 4; was " + level);
        }
        return level;
    }

    /** The level a {@value #HEADER} value states, or -1 if it is not one digit 0-7 (null: none, so -1 too). */
    public static int parse(String value) {
        if (value == null || value.length() != 1) return -1;
        char c = value.charAt(0);
        return c >= '0' && c <= '7' ? c - '0' : -1;
    }

    /** The {@value #HEADER} value for {@code level} (0-7). */
    public static String digit(int level) {
        return DIGITS[require(level)];
    }
}
