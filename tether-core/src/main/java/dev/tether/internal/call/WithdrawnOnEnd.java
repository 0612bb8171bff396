package dev.tether.internal.call;

import java.util.concurrent.CompletableFuture;

/**
 * A future handed to the application that derives from another one (a call's raw reply, a request, the stage that asks
 * for a page): when the application ends it first (cancel, {@code complete}, {@code orTimeout}), the future it derives
 * from is cancelled, which withdraws the call behind it at the called node, as ending a call's own future does. When
 * the source ends first, the derived future ends from it and the cancel finds the source done: nothing happens.
 */
public final class WithdrawnOnEnd {
    private WithdrawnOnEnd() {}

    /** {@code derived}, which cancels {@code source} when it ends while {@code source} has not. */
    public static <T> CompletableFuture<T> derived(CompletableFuture<T> derived, CompletableFuture<?> source) {
        derived.whenComplete((v, e) -> {
            if (!source.isDone()) source.cancel(true);
        });
        return derived;
    }
}
