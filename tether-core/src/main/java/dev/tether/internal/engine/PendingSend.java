package dev.tether.internal.engine;

import java.util.Map;

/**
 * A send waiting for the next batch, with its priority level ({@link StreamLevels#of}, read from its {@code :p}
 * header once, here).
 */
record PendingSend(long token, Map<String, String> headers, byte[] payload, long expiresAt, int level) {
    PendingSend(long token, Map<String, String> headers, byte[] payload, long expiresAt) {
        this(token, headers, payload, expiresAt, StreamLevels.of(headers));
    }
}
