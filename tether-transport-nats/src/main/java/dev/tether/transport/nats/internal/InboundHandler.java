package dev.tether.transport.nats.internal;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import java.util.function.LongSupplier;

/**
 * Turns one message received on the transport's subjects into a {@link LinkTable} event. Anything that is not a
 * valid envelope of the kind its subject carries (presence: ANNOUNCE and GOODBYE; this node's inbox: FRAME and
 * HELLO), or whose claimed sender is not the node its subject names, is rejected through {@link
 * LinkTable#rejected}, which counts it and tells the transport listener; it never reaches the engine and never
 * throws.
 *
 * <p>The sender check is what makes a node id proven when the NATS server enforces per-node permissions: the
 * server lets a node publish only on subjects ending with its own token, and this handler accepts an envelope only
 * from the node named by that token.
 *
 * <p>Threading: stateless apart from the table; called from the NATS dispatcher thread (and directly by tests).
 */
public final class InboundHandler {
    private final String presenceStart;
    private final String inboxStart;
    private final int maxFrameBytes;
    private final LinkTable table;
    private final LongSupplier nanoClock;

    /** Handles messages for {@code self}, whose inbox subjects start with {@code subjects.inboxOf(self)}. */
    public InboundHandler(Subjects subjects, NodeId self, int maxFrameBytes, LinkTable table, LongSupplier nanoClock) {
        this.presenceStart = subjects.presenceStart();
        this.inboxStart = subjects.inboxOf(self);
        this.maxFrameBytes = maxFrameBytes;
        this.table = table;
        this.nanoClock = nanoClock;
    }

    /** Handles the message {@code data} received on {@code subject}. */
    public void handle(String subject, byte[] data) {
        boolean presence = subject != null && subject.startsWith(presenceStart);
        int sender = presence ? presenceStart.length() : senderTokenStart(subject);
        if (sender < 0) {
            reject(subject, "message on an unexpected subject");
            return;
        }
        if (!isToken(subject, sender)) {
            reject(subject, "the subject names no valid sender");
            return;
        }
        if (Subjects.isCheckToken(subject, sender)) {
            reject(
                    subject,
                    "an identity check by a node the NATS server lets publish as others: the server does not"
                            + " enforce per-node permissions on this prefix");
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
        if (!Subjects.endsWithTokenOf(subject, sender, d.from())) {
            reject(subject, senderMismatch(subject.substring(sender), d.from()));
            return;
        }
        dispatch(d);
    }

    private void dispatch(Envelope.Decoded d) {
        switch (d.kind()) {
            case ANNOUNCE -> table.onAnnounce(d.from(), d.connection(), nanoClock.getAsLong());
            case GOODBYE -> table.onGoodbye(d.from(), d.connection());
            case HELLO -> table.onHello(d.from(), d.connection(), d.fromLink(), d.toLink(), nanoClock.getAsLong());
            case FRAME ->
                table.onFrame(d.from(), d.connection(), d.fromLink(), d.toLink(), d.frame(), nanoClock.getAsLong());
        }
    }

    /** Where the sender's token starts in {@code subject} addressed to this node, or -1 if it is not. */
    private int senderTokenStart(String subject) {
        return subject != null && subject.startsWith(inboxStart) ? inboxStart.length() : -1;
    }

    /** Whether {@code subject} from {@code start} is one non-empty token of the escaped id alphabet. */
    private static boolean isToken(String subject, int start) {
        int n = subject.length();
        if (start >= n || n - start > 2 * NodeId.MAX_LENGTH) return false;
        for (int i = start; i < n; i++) {
            char c = subject.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!ok) return false;
        }
        return true;
    }

    private static String senderMismatch(String token, NodeId claimed) {
        String named;
        try {
            named = NodeId.of(Subjects.decodeToken(token)).value();
        } catch (IllegalArgumentException | InvalidIdException e) {
            return "the subject's sender token '" + Subjects.printable(token) + "' is not a node id: " + e.getMessage();
        }
        return "sender mismatch: the envelope claims " + claimed + " but the subject is " + named
                + "'s (a forged sender, or a node publishing under another node's id)";
    }

    private void reject(String subject, String reason) {
        table.rejected("nats subject " + Subjects.printable(subject == null ? "(none)" : subject), reason);
    }
}
