package dev.tether.internal.call;

import dev.tether.EventLimits;

/**
 * The configuration of distributed events: {@code history} completed events kept for late awaits, at most {@code
 * maxPending} pending events owned by the node.
 */
public record EventSettings(int history, int maxPending) {
    /** The defaults ({@link EventLimits}). */
    public static final EventSettings DEFAULTS =
            new EventSettings(EventLimits.DEFAULT_HISTORY, EventLimits.DEFAULT_MAX_PENDING);
}
