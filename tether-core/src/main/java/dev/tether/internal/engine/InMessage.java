package dev.tether.internal.engine;

import java.util.Map;

/**
 * A message buffered by an inbound stream ({@link InStream}) and its delivery attempts on this node. The engine's
 * thread only.
 *
 * <p>It holds the received message's parts itself rather than the {@link Frame.Message} it arrived as: a stream can
 * buffer its whole credit (a loopback stream's reaches far), and every buffered message is copied by each young
 * collection it survives, so one object per message, not two.
 */
final class InMessage {
    final long seq;
    /** The {@link Frame.Message} flags it arrived with. */
    private final int flags;

    private final long expiresAtMillis;
    private final Map<String, String> headers;
    private final byte[] payload;
    /** Its priority level ({@link StreamLevels#of}). */
    final byte level;
    /** Withdrawn by its sender before it was handed out: settled as cancelled, never handed out. */
    boolean cancelled;

    int attempts;

    InMessage(long seq, Frame.Message message) {
        this(
                seq,
                message.flags(),
                message.expiresAtMillis(),
                message.headers(),
                message.payload(),
                StreamLevels.of(message.headers()));
    }

    /**
     * Message {@code seq} with these parts, {@link Frame.Message} {@code flags} and priority {@code level} ({@link
     * StreamLevels#of} its headers): a loopback stream's, handed over without a frame.
     */
    InMessage(long seq, int flags, long expiresAtMillis, Map<String, String> headers, byte[] payload, int level) {
        this.seq = seq;
        this.flags = flags;
        this.expiresAtMillis = expiresAtMillis;
        this.headers = headers;
        this.payload = payload;
        this.level = (byte) level;
        this.cancelled = (flags & Frame.Message.CANCELLED) != 0;
    }

    /** Whether it arrived with {@link Frame.Message} flag {@code flag}. */
    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    long expiresAtMillis() {
        return expiresAtMillis;
    }

    Map<String, String> headers() {
        return headers;
    }

    byte[] payload() {
        return payload;
    }

    boolean cancelled() {
        return cancelled;
    }

    int attempts() {
        return attempts;
    }

    /** Expired, unless damaged in the sender's store: then its deadline, like the rest of it, is not trusted. */
    boolean expired(long now) {
        if (corrupt()) return false;
        return has(Frame.Message.EXPIRED) || (expiresAtMillis != 0 && expiresAtMillis <= now);
    }

    /** The sender found it damaged in its store: it goes to the dead-letter queue, never to the application. */
    boolean corrupt() {
        return has(Frame.Message.CORRUPT);
    }

    /**
     * A DROPPED marker: the sender dropped it untransmitted (on a channel lane, the publisher's retention deleted it
     * before this reader took it: counted as missed); settled as dropped, never handed out.
     */
    boolean dropped() {
        return has(Frame.Message.DROPPED);
    }

    /** Settled without being handed out when it reaches the head: damaged, withdrawn, dropped or expired. */
    boolean skipped(long now) {
        return corrupt() || cancelled() || dropped() || expired(now);
    }
}
