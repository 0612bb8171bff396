package dev.tether.internal.engine;

import java.util.Map;

/**
 * A received message held by the engine until the application settles it. {@code redelivery} is what {@code
 * Delivery.isRedelivery()} reports (see docs/PROTOCOL.md, "Redelivery flag"); {@code attempt} counts its
 * hand-outs by this process.
 */
public record InboundMessage(
        long seq, long expiresAtMillis, Map<String, String> headers, byte[] payload, boolean redelivery, int attempt) {}
