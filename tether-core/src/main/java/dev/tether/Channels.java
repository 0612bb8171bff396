package dev.tether;

/**
 * Channel names. A channel name has 1 to {@value #MAX_LENGTH} characters from {@code [A-Za-z0-9._-]}; names
 * starting with {@code '_'} are reserved for Tether (such as the broadcast channel {@link #BROADCAST}). A channel's
 * messages from one publisher to one reader travel on the reserved lane {@code _c.<channel>} ({@link #lane(String)}), so the
 * name is limited to what fits in a lane. Stateless and thread-safe.
 */
public final class Channels {
    /** Lanes of channel streams start with this prefix. */
    public static final String LANE_PREFIX = "_c.";

    /** The longest channel name: a lane has at most 64 characters, three of them the prefix. */
    public static final int MAX_LENGTH = 61; // NodeId.MAX_LENGTH - LANE_PREFIX.length(), a constant for Javadoc

    /** The reserved channel every node reads: a publish on it is a broadcast. */
    public static final String BROADCAST = "_all";

    private Channels() {}

    /**
     * Returns {@code channel} if it is a valid name (reserved or not).
     *
     * @throws InvalidIdException if it is null, empty, longer than {@value #MAX_LENGTH} characters or has other
     *     characters than {@code [A-Za-z0-9._-]}
     */
    public static String requireValid(String channel) {
        if (channel == null) throw new InvalidIdException("channel must not be null");
        if (channel.length() > MAX_LENGTH || !Lanes.isValidName(channel)) {
            throw new InvalidIdException("invalid channel '" + Lanes.printable(channel) + "': expected 1-" + MAX_LENGTH
                    + " characters from [A-Za-z0-9._-]");
        }
        return channel;
    }

    /**
     * Returns {@code channel} if it is valid and not reserved.
     *
     * @throws InvalidIdException if it is not a valid channel name
     * @throws IllegalArgumentException if it starts with {@code '_'}, reserved for Tether
     */
    public static String requireApplicationChannel(String channel) {
        requireValid(channel);
        if (channel.charAt(0) == '_') {
            throw new IllegalArgumentException("channel '" + channel + "' starts with '_', which is reserved for"
                    + " Tether's own channels (such as " + BROADCAST + ")");
        }
        return channel;
    }

    /** Whether {@code channel} is a valid channel name (reserved or not); false for null. */
    public static boolean isValid(String channel) {
        return channel != null && channel.length() <= MAX_LENGTH && Lanes.isValidName(channel);
    }

    /**
     * The lane of the streams that carry {@code channel}'s messages from a publisher to a reader.
     *
     * @throws InvalidIdException if {@code channel} is not a valid channel name
     */
    public static String lane(String channel) {
        return LANE_PREFIX + requireValid(channel);
    }

    /** Whether {@code lane} carries a channel's messages (it starts with {@link #LANE_PREFIX}). */
    public static boolean isChannelLane(String lane) {
        return lane.startsWith(LANE_PREFIX);
    }

    /**
     * The channel that {@code lane} carries.
     *
     * @throws IllegalArgumentException if {@code lane} is not a channel lane
     */
    public static String channelOf(String lane) {
        if (!isChannelLane(lane)) throw new IllegalArgumentException("lane '" + lane + "' carries no channel");
        return lane.substring(LANE_PREFIX.length());
    }
}
