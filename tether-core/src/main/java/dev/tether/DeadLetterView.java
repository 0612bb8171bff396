package dev.tether;

import java.util.Map;

/** A dead-lettered message as the application sees it. */
public record DeadLetterView(
        NodeId from, String lane, long seq, Map<String, String> headers, byte[] payload, int attempts, String reason) {}
