package dev.tether.internal.call;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The page request in flight of a listing, withdrawn when the application ends the listing; a page asked after
 * that is withdrawn at once. Either side may come first: each writes its own field, then reads the other's.
 */
final class PageAsking {
    private final AtomicReference<CompletableFuture<?>> page = new AtomicReference<>();
    private volatile boolean ended;

    <T> CompletableFuture<T> asked(CompletableFuture<T> p) {
        page.set(p);
        if (ended) p.cancel(true);
        return p;
    }

    void end() {
        ended = true;
        CompletableFuture<?> p = page.get();
        if (p != null && !p.isDone()) p.cancel(true);
    }
}
