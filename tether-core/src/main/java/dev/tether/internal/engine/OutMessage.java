package dev.tether.internal.engine;

import dev.tether.spi.MessageChecksum;
import dev.tether.spi.StoredMessage;

/**
 * A cached outbox message, the checksum it goes out with, and how often it was transmitted. One read back from
 * the store is verified: if it no longer matches its stored checksum it is {@code corrupt} and goes out marked
 * so, with a checksum over the bytes as read (the wire stays verified); an {@code UNCHECKED} row (stored before
 * checksums) goes out with one computed when read.
 */
final class OutMessage {
    final StoredMessage stored;
    final long checksum;
    final boolean corrupt;
    /** Its priority level ({@link StreamLevels#of}), read once. */
    final int level;
    /** Its encoded size ({@link FrameCodec#messageSize}), as a page counts it ({@link PageBounds}). */
    final int bytes;

    private int transmissions;
    /** Its compressed form, once made for a peer ({@link WireCompression#forPeer}); null before. */
    WireCompression.Compressed compressed;
    /** Compression did not pay for it: it is sent plain from now on. */
    boolean keptPlain;

    /** A message this process numbered: its checksum was computed then. */
    OutMessage(StoredMessage stored) {
        this(stored, sizeOf(stored));
    }

    /** A message this process numbered, of encoded size {@code bytes}. */
    OutMessage(StoredMessage stored, int bytes) {
        this(stored, stored.checksum(), false, bytes);
    }

    private OutMessage(StoredMessage stored, long checksum, boolean corrupt, int bytes) {
        this.stored = stored;
        this.checksum = checksum;
        this.corrupt = corrupt;
        this.level = StreamLevels.of(stored.headers());
        this.bytes = bytes;
    }

    private static int sizeOf(StoredMessage m) {
        return FrameCodec.messageSize(m.headers(), m.payload().length);
    }

    /** A message read back from the store, verified. */
    static OutMessage read(StoredMessage m) {
        return read(m, sizeOf(m));
    }

    /** A message of encoded size {@code bytes} read back from the store, verified. */
    static OutMessage read(StoredMessage m, int bytes) {
        long actual = MessageChecksum.of(m.lane(), m.seq(), m.expiresAtMillis(), m.headers(), m.payload());
        boolean corrupt = m.checksum() != MessageChecksum.UNCHECKED && m.checksum() != actual;
        return new OutMessage(m, actual, corrupt, bytes);
    }

    /** How often it was transmitted by this process. */
    int transmissions() {
        return transmissions;
    }

    /** Counts a transmission; true if it was transmitted before. */
    boolean transmitted() {
        return transmissions++ > 0;
    }
}
