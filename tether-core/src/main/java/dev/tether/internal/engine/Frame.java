package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.spi.MessageChecksum;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Decoded protocol frames; see docs/PROTOCOL.md for their layouts. */
public sealed interface Frame {
    byte HELLO = 1;
    byte OPEN = 2;
    byte DATA = 3;
    byte ACK = 4;
    byte RESEND = 5;
    byte OUTCOME = 6;
    byte PING = 7;
    byte PONG = 8;
    byte CANCEL = 9;

    /**
     * First frame on every connection: who I am and which incarnation of my store I run. {@code bootId}: this
     * process's incarnation (volatile streams start over when it changes), never 0. {@code codecs}: the compression
     * codecs this process can decompress, one bit per codec id ({@link #LZ4}, {@link #ZSTD}, {@link #SNAPPY});
     * valid for this connection only. Bits this node does not know are kept and ignored: a peer may decompress
     * more than this node compresses.
     */
    record Hello(NodeId node, long epoch, long bootId, int codecs) implements Frame {
        /** The bit of codec id 1, LZ4. */
        public static final int LZ4 = 1;
        /** The bit of codec id 2, Zstd. */
        public static final int ZSTD = 2;
        /** The bit of codec id 3, Snappy. */
        public static final int SNAPPY = 4;

        /** Whether the sender of this HELLO decompresses the codec with this id (1-8). */
        public boolean decodes(int codecId) {
            return codecId >= 1 && codecId <= 8 && (codecs & (1 << (codecId - 1))) != 0;
        }
    }

    /**
     * Sender to receiver: my stream (lane) of incarnation {@code senderEpoch} has assigned up to {@code lastSeq}
     * and everything up to {@code ackedSeq} was taken care of. Also a probe: the receiver always answers with
     * an {@link Ack}.
     */
    record Open(String lane, long senderEpoch, long ackedSeq, long lastSeq) implements Frame {}

    /** Sender to receiver: consecutive messages {@code firstSeq, firstSeq+1, ...}. */
    record Data(String lane, long senderEpoch, long firstSeq, List<Message> messages) implements Frame {}

    /**
     * One message inside a {@link Data} frame. {@code checksum} is the {@link MessageChecksum} the frame carried for
     * it (with the flags taken out again, see {@link FrameCodec#message}); {@link #intact} checks it against what
     * was received.
     */
    record Message(int flags, long expiresAtMillis, Map<String, String> headers, byte[] payload, long checksum) {
        /** The sender has transmitted it before, or recovered it from its store after a restart. */
        public static final int REDELIVERY = 1;
        /** The sender found it expired; payload and headers are omitted. */
        public static final int EXPIRED = 2;
        /**
         * The sender found it damaged in its store (its stored checksum did not match when read): it must not be
         * delivered. The frame's checksum covers the bytes as read, so damage on the wire is still detected.
         */
        public static final int CORRUPT = 4;
        /**
         * The sender withdrew it (a cancelled call); payload and headers are omitted. Never set together with
         * {@link #CORRUPT}: a message damaged in the sender's store goes out as damaged even if withdrawn.
         */
        public static final int CANCELLED = 8;
        /**
         * The sender dropped it before transmitting it (an overflow policy; on a channel lane, the publisher's
         * retention deleted it before this reader took it: docs/CHANNELS-DESIGN.md, section 4): a marker like {@link
         * #EXPIRED}, without headers and payload, never with another marker flag or {@link #CORRUPT}. Settled by the
         * receiver without processing ({@link OutcomeNotice#DROPPED}). Protocol version 3.
         */
        public static final int DROPPED = 16;

        /** Whether this message, number {@code seq} on {@code lane}, matches the checksum the frame carried. */
        public boolean intact(String lane, long seq) {
            return checksum == MessageChecksum.of(lane, seq, expiresAtMillis, headers, payload);
        }

        public boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    /**
     * Receiver to sender: the acknowledgements of one turn, one {@link Ack} per stream of the sender (in the order
     * the receiver wrote them; each is applied as if it had come alone). At least one; a turn's entries that do not
     * fit one frame go in several (protocol version 4: one ACK frame per stream before).
     *
     * <p>The entries are held in columns, a lane array and a number array per frame, not an object per entry: with
     * 10,000 streams a frame holds thousands of entries, and the sender reads each once ({@link Senders#onAcks}).
     * {@link #entries} makes the objects for whoever wants them (tests). Equal when the entries are.
     */
    final class Acks implements Frame {
        /** Numbers per entry in {@link #numbers}: sender epoch, received, processed, credit. */
        private static final int STRIDE = 4;

        private final String[] lanes;
        private final long[] numbers;

        /** A frame of {@code count} entries, to {@link #set} one by one while decoding. */
        static Acks ofCount(int count) {
            return new Acks(new String[count], new long[count * STRIDE]);
        }

        private Acks(String[] lanes, long[] numbers) {
            if (lanes.length == 0 || numbers.length != lanes.length * STRIDE) {
                throw new IllegalArgumentException(lanes.length + " lanes, " + numbers.length + " numbers");
            }
            this.lanes = lanes;
            this.numbers = numbers;
        }

        public Acks(List<Ack> entries) {
            this(new String[entries.size()], new long[entries.size() * STRIDE]);
            for (int i = 0; i < entries.size(); i++) {
                Ack a = entries.get(i);
                set(i, a.lane(), a.senderEpoch(), a.receivedSeq(), a.processedSeq(), a.creditSeq());
            }
        }

        /** Fills entry {@code i} (decoding only, before the frame is handed on). */
        void set(int i, String lane, long senderEpoch, long receivedSeq, long processedSeq, long creditSeq) {
            lanes[i] = lane;
            int at = i * STRIDE;
            numbers[at] = senderEpoch;
            numbers[at + 1] = receivedSeq;
            numbers[at + 2] = processedSeq;
            numbers[at + 3] = creditSeq;
        }

        /** Entries in this frame: at least one. */
        public int count() {
            return lanes.length;
        }

        public String lane(int i) {
            return lanes[i];
        }

        public long senderEpoch(int i) {
            return numbers[i * STRIDE];
        }

        public long receivedSeq(int i) {
            return numbers[i * STRIDE + 1];
        }

        public long processedSeq(int i) {
            return numbers[i * STRIDE + 2];
        }

        public long creditSeq(int i) {
            return numbers[i * STRIDE + 3];
        }

        /** The entries as objects, in order. */
        public List<Ack> entries() {
            List<Ack> l = new ArrayList<>(count());
            for (int i = 0; i < count(); i++) {
                l.add(new Ack(lane(i), senderEpoch(i), receivedSeq(i), processedSeq(i), creditSeq(i)));
            }
            return List.copyOf(l);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Acks a && Arrays.equals(lanes, a.lanes) && Arrays.equals(numbers, a.numbers);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(lanes) + Arrays.hashCode(numbers);
        }

        @Override
        public String toString() {
            return "Acks[entries=" + entries() + "]";
        }
    }

    /**
     * One stream's entry of an {@link Acks} frame: contiguous messages up to {@code receivedSeq} are buffered, up to
     * {@code processedSeq} taken care of durably, and the sender may send up to {@code creditSeq}.
     */
    record Ack(String lane, long senderEpoch, long receivedSeq, long processedSeq, long creditSeq) {}

    /** Receiver to sender: a gap was seen, send again from {@code fromSeq}. */
    record Resend(String lane, long senderEpoch, long fromSeq) implements Frame {}

    /** Receiver to sender: message {@code seq} was taken care of without being processed. */
    record OutcomeNotice(String lane, long senderEpoch, long seq, int outcome) implements Frame {
        public static final int EXPIRED = 1;
        public static final int DEAD_LETTERED = 2;
        /** A call of a named handler the receiver does not have (see docs/MESSAGING.md). */
        public static final int NO_SUCH_HANDLER = 3;
        /** The sender withdrew it before it was handed out ({@link Cancel}, or a withdrawn marker). */
        public static final int CANCELLED = 4;
        /** A message for an endpoint the receiver does not have (protocol version 3). */
        public static final int NO_SUCH_ENDPOINT = 5;
        /** Dropped: by a routing rule of the receiver, or a DROPPED marker of the sender (protocol version 3). */
        public static final int DROPPED = 6;

        /**
         * The code of {@code o}, one a receiver settles a message with.
         *
         * @throws IllegalArgumentException for {@code PROCESSED}, {@code LOST} and {@code PURGED}, never sent
         */
        public static int of(dev.tether.Outcome o) {
            return switch (o) {
                case EXPIRED -> EXPIRED;
                case DEAD_LETTERED -> DEAD_LETTERED;
                case NO_SUCH_HANDLER -> NO_SUCH_HANDLER;
                case CANCELLED -> CANCELLED;
                case NO_SUCH_ENDPOINT -> NO_SUCH_ENDPOINT;
                case DROPPED -> DROPPED;
                default -> throw new IllegalArgumentException("not an outcome a receiver reports: " + o);
            };
        }

        /** The outcome a notice of {@code kind} reports (the inverse of {@link #of}; an unknown code: dead-lettered). */
        public static dev.tether.Outcome outcomeOf(int kind) {
            return switch (kind) {
                case EXPIRED -> dev.tether.Outcome.EXPIRED;
                case NO_SUCH_HANDLER -> dev.tether.Outcome.NO_SUCH_HANDLER;
                case CANCELLED -> dev.tether.Outcome.CANCELLED;
                case NO_SUCH_ENDPOINT -> dev.tether.Outcome.NO_SUCH_ENDPOINT;
                case DROPPED -> dev.tether.Outcome.DROPPED;
                default -> dev.tether.Outcome.DEAD_LETTERED;
            };
        }
    }

    /**
     * Sender to receiver: message {@code seq}, already transmitted, is withdrawn (its call was cancelled). Not
     * handed out yet: settle it without processing ({@link OutcomeNotice#CANCELLED}); handed out: tell the
     * application. Best effort: not retransmitted if lost.
     */
    record Cancel(String lane, long senderEpoch, long seq) implements Frame {}

    /**
     * Either direction: asks for a {@link Pong} echoing {@code sentAt} (>= 0), the sender's ping clock, opaque to
     * the receiver: µs of its monotonic clock, or ms where none is given (docs/PROTOCOL.md, "Round trips and last seen").
     */
    record Ping(long sentAt) implements Frame {}

    /** Answer to a {@link Ping}: its {@code sentAt}, unchanged, so the pinger measures the round trip. */
    record Pong(long sentAt) implements Frame {}
}
