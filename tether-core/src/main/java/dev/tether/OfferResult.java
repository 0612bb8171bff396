package dev.tether;

import java.util.Objects;

/**
 * What {@link TetherNode#offer} did: the message was {@linkplain #taken() taken} (sent as by {@code send}, with its
 * {@link #receipt()}), or refused because its stream, or the node's budget of sends waiting for the store, had no
 * room at that moment ({@link #refusal()} says which, with the count and the limit). Immutable.
 */
public final class OfferResult {
    private final SendReceipt receipt;
    private final QueueFullException refusal;

    private OfferResult(SendReceipt receipt, QueueFullException refusal) {
        this.receipt = receipt;
        this.refusal = refusal;
    }

    /** The message was taken; {@code receipt} is its send's. */
    public static OfferResult taken(SendReceipt receipt) {
        return new OfferResult(Objects.requireNonNull(receipt, "receipt"), null);
    }

    /** The message was not taken, for {@code reason}; nothing was stored. */
    public static OfferResult refused(QueueFullException reason) {
        return new OfferResult(null, Objects.requireNonNull(reason, "reason"));
    }

    /** Whether the message was taken (then {@link #receipt()} is not null). */
    public boolean taken() {
        return receipt != null;
    }

    /** The taken message's receipt; null if it was refused. */
    public SendReceipt receipt() {
        return receipt;
    }

    /** Why the message was refused (never thrown by {@code offer}); null if it was taken. */
    public QueueFullException refusal() {
        return refusal;
    }

    @Override
    public String toString() {
        return taken() ? "OfferResult[taken]" : "OfferResult[refused: " + refusal.getMessage() + "]";
    }
}
