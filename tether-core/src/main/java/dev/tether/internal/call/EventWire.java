package dev.tether.internal.call;

import dev.tether.CallKind;
import dev.tether.EventHandle;
import dev.tether.EventLimits;
import dev.tether.InvalidEventHandleException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The messages of distributed events (docs/PROTOCOL.md "Events"): tells to the system handler {@value #HANDLER} on
 * the reserved lane {@value #LANE}. A node triggers, poisons or awaits another node's event with {@link #TRIGGER},
 * {@link #POISON}, {@link #AWAIT}; the owner answers an await with {@link #DONE} when the event completes (or at once:
 * completed, stale, unknown, refused); a node whose last future for the event was dropped withdraws its await with
 * {@link #WITHDRAW}. Layout: version (1 byte, {@value #VERSION}), op (1 byte), the handle's text
 * (modified UTF-8 with a 2-byte length), then per op: TRIGGER the payload (4-byte length, bytes); POISON the reason
 * (UTF); AWAIT and WITHDRAW nothing; DONE the outcome (1 byte), the owner's generation of the id (8 bytes), the
 * payload (4-byte length, bytes) and the reason (UTF). Nothing may follow.
 */
final class EventWire {
    static final String HANDLER = "_event";
    static final String LANE = "_ev";
    static final int VERSION = 1;

    static final int TRIGGER = 1;
    static final int POISON = 2;
    static final int AWAIT = 3;
    static final int DONE = 4;
    /** The sender no longer waits (its last future for the event was dropped): the owner forgets it as a waiter. */
    static final int WITHDRAW = 5;

    /** Outcomes of a DONE: the event's state, or why the await cannot be answered with one. */
    static final int TRIGGERED = 1;

    static final int POISONED = 2;
    static final int STALE = 3;
    static final int UNKNOWN = 4;
    static final int REFUSED = 5;

    /** The headers of every event message: a tell to {@value #HANDLER}. */
    static final Map<String, String> HEADERS = Map.copyOf(CallHeaders.call(Map.of(), HANDLER, CallKind.TELL, false));

    private static final byte[] EMPTY = new byte[0];

    /** A decoded message; fields an op does not use are 0, empty or "". */
    record Message(int op, EventHandle handle, int outcome, long generation, byte[] payload, String reason) {}

    private EventWire() {}

    static byte[] trigger(EventHandle h, byte[] payload) {
        return encode(new Message(TRIGGER, h, 0, 0, payload, ""));
    }

    static byte[] poison(EventHandle h, String reason) {
        return encode(new Message(POISON, h, 0, 0, EMPTY, reason));
    }

    static byte[] await(EventHandle h) {
        return encode(new Message(AWAIT, h, 0, 0, EMPTY, ""));
    }

    static byte[] withdraw(EventHandle h) {
        return encode(new Message(WITHDRAW, h, 0, 0, EMPTY, ""));
    }

    static byte[] done(EventHandle h, int outcome, long generation, byte[] payload, String reason) {
        return encode(new Message(DONE, h, outcome, generation, payload, reason));
    }

    private static byte[] encode(Message m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + m.payload().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(m.op());
            out.writeUTF(m.handle().toString());
            switch (m.op()) {
                case TRIGGER -> writeBytes(out, m.payload());
                case POISON -> out.writeUTF(m.reason());
                case DONE -> {
                    out.writeByte(m.outcome());
                    out.writeLong(m.generation());
                    writeBytes(out, m.payload());
                    out.writeUTF(m.reason());
                }
                default -> {}
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does no I/O
        }
        return bytes.toByteArray();
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /**
     * Decodes {@code bytes}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Message decode(byte[] bytes) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        try {
            int version = in.readUnsignedByte();
            if (version != VERSION) throw new IllegalArgumentException("unknown event message version " + version);
            int op = in.readUnsignedByte();
            EventHandle h = EventHandle.parse(in.readUTF());
            Message m = switch (op) {
                case TRIGGER -> new Message(op, h, 0, 0, readBytes(in), "");
                case POISON -> new Message(op, h, 0, 0, EMPTY, readReason(in));
                case AWAIT, WITHDRAW -> new Message(op, h, 0, 0, EMPTY, "");
                case DONE -> readDone(in, h);
                default -> throw new IllegalArgumentException("unknown event message op " + op);
            };
            if (in.available() > 0) throw new IllegalArgumentException(in.available() + " bytes after the message");
            return m;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated event message: " + e);
        } catch (InvalidEventHandleException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static Message readDone(DataInputStream in, EventHandle h) throws IOException {
        int outcome = in.readUnsignedByte();
        if (outcome < TRIGGERED || outcome > REFUSED) throw new IllegalArgumentException("unknown outcome " + outcome);
        long generation = in.readLong();
        return new Message(DONE, h, outcome, generation, readBytes(in), readReason(in));
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > EventLimits.MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload of " + n + " bytes; at most " + EventLimits.MAX_PAYLOAD_BYTES);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static String readReason(DataInputStream in) throws IOException {
        String r = in.readUTF();
        if (r.length() > EventLimits.MAX_REASON_CHARS) {
            throw new IllegalArgumentException(
                    "reason of " + r.length() + " characters; at most " + EventLimits.MAX_REASON_CHARS);
        }
        return r;
    }
}
