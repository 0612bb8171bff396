package dev.tether.internal.engine;

import java.util.Map;

/**
 * A received message held by the engine until the application settles it. {@code redelivery} is what {@code
 * Delivery.isRedelivery()} reports (see docs/PROTOCOL.md, "Redelivery flag"); {@code attempt} counts its
 * hand-outs by this process.
 */
public record InboundMessage(
        long seq, long expiresAtMillis, Map<String, String> headers, byte[] payload, boolean redelivery, int attempt) {

    /**
     * Whether its time to live has run out at {@code now}: it must then not be handed to the application, even
     * within a run already handed to the runtime (see {@link Engine#onExpiredInRun}).
     */
    public boolean expiredAt(long now) {
        return expiresAtMillis != 0 && expiresAtMillis <= now;
    }
}
