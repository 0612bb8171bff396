package dev.tether.internal.engine;

import java.util.Map;

/**
 * A received message held by the engine until the application settles it. {@code redelivery} is what {@code
 * Delivery.isRedelivery()} reports (see docs/PROTOCOL.md, "Redelivery flag"); {@code attempt} counts its
 * hand-outs by this process; {@code senderEpoch} is the store epoch of the sender incarnation that sent it (a
 * reply names it, so that a reply to an earlier incarnation of its caller is never taken for a reply to a later
 * one whose sequence numbers started again).
 */
public record InboundMessage(
        long seq,
        long expiresAtMillis,
        Map<String, String> headers,
        byte[] payload,
        boolean redelivery,
        int attempt,
        long senderEpoch) {

    /**
     * Whether its time to live has run out at {@code now}: it must then not be handed to the application, even
     * within a run already handed to the runtime (see {@link Engine#onExpiredInRun}).
     */
    public boolean expiredAt(long now) {
        return expiresAtMillis != 0 && expiresAtMillis <= now;
    }
}
