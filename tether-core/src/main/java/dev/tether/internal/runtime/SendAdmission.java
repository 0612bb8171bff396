package dev.tether.internal.runtime;

import dev.tether.MessageTooLargeException;
import dev.tether.NodeId;
import dev.tether.QueueFullException;
import dev.tether.internal.engine.FrameCodec;
import dev.tether.internal.engine.SoleHeader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a send may be posted to the node thread, decided on the caller's thread: its size, the node's budget of
 * bytes waiting for the store ({@code maxPendingSendBytes}) and its stream's room ({@link SendRooms}). A send
 * admitted here holds its bytes and its room until the node thread lets go of them.
 */
final class SendAdmission {
    private final NodeId self;
    private final int maxMessageBytes;
    private final long maxPendingSendBytes;
    private final AtomicLong pendingSendBytes;
    final SendRooms rooms;

    SendAdmission(
            NodeId self, int maxMessageBytes, long maxPendingSendBytes, AtomicLong pendingSendBytes, SendRooms rooms) {
        this.self = self;
        this.maxMessageBytes = maxMessageBytes;
        this.maxPendingSendBytes = maxPendingSendBytes;
        this.pendingSendBytes = pendingSendBytes;
        this.rooms = rooms;
    }

    /** Returns the message's size: payload plus encoded headers. */
    long checkSize(Map<String, String> headers, int payloadLength) {
        if (headers.size() > 0xffff) throw new MessageTooLargeException("more than 65535 headers");
        long size = payloadLength;
        String sole = SoleHeader.known(headers);
        if (sole != null) {
            size += encodedSize(sole, headers.get(sole)); // an endpoint's send: no walk, no objects
        } else {
            // One walk over the headers: an immutable map makes an entry object per entry and walk.
            for (Map.Entry<String, String> e : headers.entrySet()) size += encodedSize(e.getKey(), e.getValue());
        }
        return checkPayloadSize(size - payloadLength, payloadLength);
    }

    /** As {@link #checkSize}, for headers of {@code headersBytes} measured by {@link #checkSize} before. */
    long checkPayloadSize(long headersBytes, int payloadLength) {
        long size = headersBytes + payloadLength;
        if (size > maxMessageBytes) {
            throw new MessageTooLargeException("message of " + size + " bytes (payload " + payloadLength
                    + " + headers) exceeds maxMessageBytes " + maxMessageBytes);
        }
        return size;
    }

    /** Header {@code k} with value {@code v} as encoded in a frame; refused if either is too long. */
    private static int encodedSize(String k, String v) {
        if (tooLong(k) || tooLong(v)) {
            throw new MessageTooLargeException("header '" + k + "' is longer than 65535 UTF-8 bytes");
        }
        return 4 + FrameCodec.utf8Length(k) + FrameCodec.utf8Length(v);
    }

    /**
     * Whether {@code s} takes more than 65,535 bytes in UTF-8; encoded only when it might (a character takes at most
     * three bytes), so that a send's headers are not copied to check them.
     */
    private static boolean tooLong(String s) {
        return s.length() > 0xffff / 3 && s.getBytes(StandardCharsets.UTF_8).length > 0xffff;
    }

    /**
     * Reserves room for one message of {@code bytes} in {@code room}, waiting up to {@code waitNanos} for it (0: not
     * at all), then its bytes in the node's budget; false, with nothing reserved, if the stream had no room in time.
     *
     * @throws QueueFullException if the node's bytes waiting for the store are at their limit (nothing reserved)
     * @throws InterruptedException if interrupted while waiting; nothing is reserved
     */
    boolean reserve(SendRooms.Room room, long bytes, long waitNanos) throws InterruptedException {
        if (!room.take(waitNanos)) return false;
        takeBytes(room, bytes);
        return true;
    }

    /**
     * Reserves room for one message of {@code bytes} in the full {@code room} all the same, for a send whose policy
     * (DROP_OLDEST) makes room on the node thread ({@link SendCommands.Submit}), then its bytes in the node's budget.
     *
     * @throws QueueFullException if the node's bytes waiting for the store are at their limit (nothing reserved)
     */
    void reserveOverLimit(SendRooms.Room room, long bytes) {
        room.takeOverLimit();
        takeBytes(room, bytes);
    }

    private void takeBytes(SendRooms.Room room, long bytes) {
        long total = pendingSendBytes.addAndGet(bytes);
        if (total > maxPendingSendBytes && total > bytes) { // one message alone always fits
            pendingSendBytes.addAndGet(-bytes);
            room.giveBack();
            throw new QueueFullException("node " + self + " already holds " + maxPendingSendBytes
                    + " bytes of sends waiting for the store (maxPendingSendBytes); retry when accepted() futures"
                    + " complete");
        }
    }

    /** Why a send found {@code room} full, after waiting {@code waitNanos}. */
    static String full(SendRooms.Room room, long waitNanos) {
        return "stream " + room.key + " holds " + room.held() + " of its limit of " + room.limit
                + " unacknowledged messages" + (waitNanos > 0 ? " (waited " + SendRooms.waited(waitNanos) + ")" : "")
                + "; retry when its receiver has taken care of some";
    }

    /** Releases what {@link #reserve} took for a send that never reached the engine. */
    void giveBack(SendRooms.Room room, long bytes) {
        pendingSendBytes.addAndGet(-bytes);
        room.giveBack();
    }
}
