package dev.tether.internal.engine;

import java.util.Map;

/** A received message held by the engine until the application settles it. */
public record InboundMessage(
        long seq, long expiresAtMillis, Map<String, String> headers, byte[] payload, boolean redelivery, int attempt) {}
