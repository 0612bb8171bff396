package dev.tether.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened, closed in reverse when the test ends: a node after the pages that use it, a store after the
 * node. A field {@code final Closer open = new Closer()}, closed by an {@code @AfterEach} (which closes it before
 * the {@code @TempDir} is deleted), replaces the list each test kept and closed backwards. Every resource is closed even if an
 * earlier one fails: the first failure is thrown, the later ones added to it as suppressed. Thread-safe: a resource
 * may be added from any thread; one added while {@link #close} runs is closed by the next call.
 */
@SuppressWarnings("try") // close() throws what the resources throw, InterruptedException among them
public final class Closer implements AutoCloseable {
    private final List<AutoCloseable> open = new ArrayList<>();

    /** A closer with nothing to close yet. */
    public Closer() {}

    /** Closes {@code resource} when this closer is closed, before what was added earlier; returns it. */
    public synchronized <T extends AutoCloseable> T add(T resource) {
        open.add(resource);
        return resource;
    }

    /** Closes what was added, the last first, and forgets it. */
    @Override
    public void close() throws Exception {
        List<AutoCloseable> closing;
        synchronized (this) {
            closing = new ArrayList<>(open);
            open.clear();
        }
        Exception failed = null;
        for (int i = closing.size() - 1; i >= 0; i--) {
            try {
                closing.get(i).close();
            } catch (Exception e) {
                if (failed == null) failed = e;
                else failed.addSuppressed(e);
            }
        }
        if (failed != null) throw failed;
    }
}
