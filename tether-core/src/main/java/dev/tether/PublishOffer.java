package dev.tether;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link TetherNode#offerPublish} did: the publish was {@linkplain #taken() taken} (posted as by {@code publish},
 * its {@link #accepted()} future completing once it is stored), or refused because the channel's log, which refuses or
 * waits when full ({@link ChannelOptions.WhenFull#REJECT}, {@link ChannelOptions.WhenFull#BLOCK}), had no room at that
 * moment ({@link #refusal()} says so, with the count and the limits). Immutable.
 */
public final class PublishOffer {
    private final CompletableFuture<MessageId> accepted;
    private final ChannelFullException refusal;

    private PublishOffer(CompletableFuture<MessageId> accepted, ChannelFullException refusal) {
        this.accepted = accepted;
        this.refusal = refusal;
    }

    /** The publish was taken; {@code accepted} completes with its id once it is stored. */
    public static PublishOffer taken(CompletableFuture<MessageId> accepted) {
        return new PublishOffer(Objects.requireNonNull(accepted, "accepted"), null);
    }

    /** The publish was not taken, for {@code reason}; nothing was stored. */
    public static PublishOffer refused(ChannelFullException reason) {
        return new PublishOffer(null, Objects.requireNonNull(reason, "reason"));
    }

    /** Whether the publish was taken (then {@link #accepted()} is not null). */
    public boolean taken() {
        return accepted != null;
    }

    /** The taken publish's future, as {@code publish} returns it; null if it was refused. */
    public CompletableFuture<MessageId> accepted() {
        return accepted;
    }

    /** Why the publish was refused (never thrown by {@code offerPublish}); null if it was taken. */
    public ChannelFullException refusal() {
        return refusal;
    }

    @Override
    public String toString() {
        return taken() ? "PublishOffer[taken]" : "PublishOffer[refused: " + refusal.getMessage() + "]";
    }
}
