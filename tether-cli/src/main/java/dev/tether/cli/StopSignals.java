package dev.tether.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns SIGTERM and SIGINT into a request to stop that the node's main thread waits for, so that the process
 * drains, reports, and exits 0 by itself instead of being ended by the signal (status 143 or 130). A second
 * signal while the node drains ends the process at once with 128 + the signal's number.
 *
 * <p>Where signals cannot be handled ({@link SignalHandlers}), a shutdown hook does the same work and the process
 * ends with the signal's status.
 */
final class StopSignals {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final AtomicInteger signals = new AtomicInteger();
    private boolean viaHook;

    private StopSignals() {}

    /**
     * Installs the handlers; where one cannot be installed, {@code onStopByHook} runs in a shutdown hook for that
     * signal instead (it must be idempotent: the hook also runs after a stop by a handled signal).
     */
    static StopSignals install(Runnable onStopByHook) {
        StopSignals s = new StopSignals();
        boolean term = s.handle("TERM", 15);
        boolean interrupt = s.handle("INT", 2);
        s.viaHook = !term;
        if (!term || !interrupt) Runtime.getRuntime().addShutdownHook(new Thread(onStopByHook, "tether-shutdown"));
        return s;
    }

    /** Whether SIGTERM ends the process through a shutdown hook (exit status 143) instead. */
    boolean viaHook() {
        return viaHook;
    }

    /** Waits until a stop is requested. */
    void await() throws InterruptedException {
        requested.await();
    }

    /** Requests a stop as a first signal would (the node's own reason to stop, not the operator's). */
    void request() {
        requested.countDown();
    }

    private boolean handle(String name, int number) {
        return SignalHandlers.install(name, number, () -> received(number));
    }

    private void received(int number) {
        if (signals.incrementAndGet() > 1) Runtime.getRuntime().halt(128 + number);
        requested.countDown();
    }
}
