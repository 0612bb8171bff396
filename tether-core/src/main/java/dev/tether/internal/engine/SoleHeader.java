package dev.tether.internal.engine;

import java.util.Map;

/**
 * The name of a map's only header, found without walking the map when it is one Tether puts alone on messages: an
 * endpoint's sender name ({@code :f}), on every message an endpoint sends without headers of its own. {@code
 * Map.of(k, v)} has no accessor for its entry, and each walk of its entry set makes three objects (the entry, a set
 * of it, an iterator), on the sending thread, per message: a lookup by name makes none. ({@code MessageChecksum},
 * below this package, looks the same name up for the same reason.)
 */
public final class SoleHeader {
    /** The header an endpoint's send carries alone: its sender's agent name. */
    public static final String FROM = ":f";

    private SoleHeader() {}

    /** The name of {@code headers}' only header if it is {@link #FROM}, else null (no header, several, or another). */
    public static String known(Map<String, String> headers) {
        return headers.size() == 1 && headers.containsKey(FROM) ? FROM : null;
    }
}
