package dev.tether.internal.engine;

import dev.tether.spi.StoredMessage;
import java.util.Map;

/**
 * A message buffered by an inbound stream ({@link InStream}) and its delivery attempts on this node. The engine's
 * thread only.
 *
 * <p>Every buffered message is copied by each young collection it survives, and a stream can buffer its whole credit
 * (a loopback stream's reaches far), so it is one small object per message. A received one ({@link #received}) holds
 * the received message's parts itself rather than the {@link Frame.Message} it arrived as (one object, not two). A
 * loopback stream's ({@link #handedOver}) holds the sending half's stored message, which the store and the sending
 * half's page keep anyway until the receiving half's position trims it: 32 bytes instead of 48 with the parts copied.
 */
abstract sealed class InMessage permits InMessage.Received, InMessage.HandedOver {
    final long seq;

    int attempts;
    /** The {@link Frame.Message} flags it arrived with (they fit a byte: {@link FrameCodec} reads one). */
    private final byte flags;
    /** Its priority level ({@link StreamLevels#of}). */
    final byte level;
    /** Withdrawn by its sender before it was handed out: settled as cancelled, never handed out. */
    boolean cancelled;

    private InMessage(long seq, int flags, int level) {
        this.seq = seq;
        this.flags = (byte) flags;
        this.level = (byte) level;
        this.cancelled = (flags & Frame.Message.CANCELLED) != 0;
    }

    /** Message {@code seq} as it arrived in a DATA frame. */
    static InMessage received(long seq, Frame.Message message) {
        return new Received(seq, message);
    }

    /**
     * Message {@code seq} of a loopback stream, handed over without a frame: {@code stored} with {@link Frame.Message}
     * {@code flags} and priority {@code level} ({@link StreamLevels#of} its headers).
     */
    static InMessage handedOver(long seq, int flags, StoredMessage stored, int level) {
        return new HandedOver(seq, flags, stored, level);
    }

    abstract long expiresAtMillis();

    abstract Map<String, String> headers();

    abstract byte[] payload();

    /** A received message: its parts. */
    static final class Received extends InMessage {
        private final long expiresAtMillis;
        private final Map<String, String> headers;
        private final byte[] payload;

        private Received(long seq, Frame.Message message) {
            super(seq, message.flags(), StreamLevels.of(message.headers()));
            this.expiresAtMillis = message.expiresAtMillis();
            this.headers = message.headers();
            this.payload = message.payload();
        }

        @Override
        long expiresAtMillis() {
            return expiresAtMillis;
        }

        @Override
        Map<String, String> headers() {
            return headers;
        }

        @Override
        byte[] payload() {
            return payload;
        }
    }

    /** A loopback stream's message: the sending half's stored message. */
    static final class HandedOver extends InMessage {
        private final StoredMessage stored;

        private HandedOver(long seq, int flags, StoredMessage stored, int level) {
            super(seq, flags, level);
            this.stored = stored;
        }

        @Override
        long expiresAtMillis() {
            return stored.expiresAtMillis();
        }

        @Override
        Map<String, String> headers() {
            return stored.headers();
        }

        @Override
        byte[] payload() {
            return stored.payload();
        }
    }

    /** Whether it arrived with {@link Frame.Message} flag {@code flag}. */
    boolean has(int flag) {
        return (flags & 0xff & flag) != 0;
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
        long expires = expiresAtMillis();
        return has(Frame.Message.EXPIRED) || (expires != 0 && expires <= now);
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
