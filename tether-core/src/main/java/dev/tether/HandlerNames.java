package dev.tether;

/**
 * Names of handlers ({@link TetherNode#handle}, {@link TetherNode#call}): 1 to 64 characters from {@code
 * [A-Za-z0-9._-]}, the grammar of lanes, since a call travels on the lane named after its handler by default.
 * Names starting with {@code '_'} are reserved for Tether's system handlers; applications may neither register nor
 * call them.
 */
public final class HandlerNames {
    /**
     * The most handlers one node may have registered at once: its advertisement to its peers ({@link
     * PeerInfo#handlers()}) lists them all, and peers ignore a longer list.
     */
    public static final int MAX_PER_NODE = 1024;

    private HandlerNames() {}

    /**
     * Returns {@code name} if it is a valid handler name.
     *
     * @throws InvalidIdException if it is null, empty, longer than 64 characters or has other characters than
     *     {@code [A-Za-z0-9._-]}
     */
    public static String requireValid(String name) {
        if (name == null) throw new InvalidIdException("handler name must not be null");
        if (!Lanes.isValidName(name)) {
            throw new InvalidIdException("invalid handler name '" + Lanes.printable(name) + "': expected 1-"
                    + NodeId.MAX_LENGTH + " characters from [A-Za-z0-9._-]");
        }
        return name;
    }

    /** Whether {@code name} is reserved for Tether's system handlers (it starts with {@code '_'}). */
    public static boolean isReserved(String name) {
        return !name.isEmpty() && name.charAt(0) == '_';
    }

    /**
     * Returns {@code name} if it is a valid handler name an application may use.
     *
     * @throws InvalidIdException if it is not a valid name
     * @throws IllegalArgumentException if it is reserved (starts with {@code '_'})
     */
    public static String requireApplicationName(String name) {
        requireValid(name);
        if (isReserved(name)) {
            throw new IllegalArgumentException(
                    "handler name '" + name + "' starts with '_', which is reserved for" + " Tether's system handlers");
        }
        return name;
    }
}
