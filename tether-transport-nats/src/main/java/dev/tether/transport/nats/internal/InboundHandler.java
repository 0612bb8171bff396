package dev.tether.transport.nats.internal;

import java.util.function.LongSupplier;

/**
 * Turns one message received on the transport's subjects into a {@link LinkTable} event. Anything that is not a
 * valid envelope of the kind its subject carries (presence: ANNOUNCE and GOODBYE; a node's inbox: FRAME and
 * HELLO) is rejected through {@link LinkTable#rejected}, which counts it and tells the transport listener; it
 * never reaches the engine and never throws.
 *
 * <p>Threading: stateless apart from the table; called from the NATS dispatcher thread (and directly by tests).
 */
public final class InboundHandler {
    private final Subjects subjects;
    private final String inbox;
    private final int maxFrameBytes;
    private final LinkTable table;
    private final LongSupplier nanoClock;

    public InboundHandler(Subjects subjects, String inbox, int maxFrameBytes, LinkTable table, LongSupplier nanoClock) {
        this.subjects = subjects;
        this.inbox = inbox;
        this.maxFrameBytes = maxFrameBytes;
        this.table = table;
        this.nanoClock = nanoClock;
    }

    /** Handles the message {@code data} received on {@code subject}. */
    public void handle(String subject, byte[] data) {
        boolean presence = subjects.presence().equals(subject);
        if (!presence && !inbox.equals(subject)) {
            reject(subject, "message on an unexpected subject");
            return;
        }
        int length = data == null ? 0 : data.length;
        if (length > maxFrameBytes + Envelope.MAX_HEADER_BYTES) {
            reject(
                    subject,
                    "message of " + length + " bytes exceeds maxFrameBytes " + maxFrameBytes + " plus the envelope");
            return;
        }
        Envelope.Decoded d;
        try {
            d = Envelope.decode(data, length, maxFrameBytes);
        } catch (Envelope.MalformedException e) {
            reject(subject, "malformed envelope: " + e.getMessage());
            return;
        }
        boolean presenceKind = d.kind() == Envelope.Kind.ANNOUNCE || d.kind() == Envelope.Kind.GOODBYE;
        if (presence != presenceKind) {
            reject(subject, d.kind() + " from " + d.from() + " on the wrong subject");
            return;
        }
        switch (d.kind()) {
            case ANNOUNCE -> table.onAnnounce(d.from(), d.connection(), nanoClock.getAsLong());
            case GOODBYE -> table.onGoodbye(d.from(), d.connection());
            case HELLO -> table.onHello(d.from(), d.connection(), d.fromLink(), d.toLink(), nanoClock.getAsLong());
            case FRAME ->
                table.onFrame(d.from(), d.connection(), d.fromLink(), d.toLink(), d.frame(), nanoClock.getAsLong());
        }
    }

    private void reject(String subject, String reason) {
        table.rejected("nats subject " + Subjects.printable(subject == null ? "(none)" : subject), reason);
    }
}
