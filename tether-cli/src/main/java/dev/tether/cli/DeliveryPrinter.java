package dev.tether.cli;

import dev.tether.Delivery;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Prints each delivery as one line, text or JSON. The handler acknowledges after the line is written and
 * flushed, so a delivery that was printed is never lost, and one whose line may not have reached the output
 * (a crash in between) is delivered again, flagged as a redelivery.
 *
 * <p>An output that fails (its reader went away: {@code tether listen | head -5}) makes every line from then on
 * unprintable: such a delivery is not acknowledged but held back ({@link Delivery#nack(Duration)} with {@link
 * #HOLD}, so its stream waits instead of retrying towards the failure policy), and {@link #onOutputGone} is told
 * once, to stop the node. The held messages stay in the store and are printed by the next start.
 */
final class DeliveryPrinter {
    /** Longer than any drain: a held delivery is not retried before the node has stopped. */
    static final Duration HOLD = Duration.ofDays(1);

    private final PrintWriter out;
    private final boolean json;
    private final AtomicBoolean gone = new AtomicBoolean();
    private volatile Runnable onOutputGone;
    /** Whether {@link #onOutputGone}'s action ran: the failing print and the registration may both see the failure. */
    private final AtomicBoolean told = new AtomicBoolean();

    DeliveryPrinter(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /**
     * Runs {@code action} once when the output fails (at once if it already has). It runs on a handler's thread:
     * it must not wait for the node.
     */
    void onOutputGone(Runnable action) {
        onOutputGone = action;
        if (gone.get()) tell();
    }

    /** Runs the action once, if registered: the print that failed and the registration each look after writing. */
    private void tell() {
        Runnable action = onOutputGone;
        if (action != null && told.compareAndSet(false, true)) action.run();
    }

    void print(Delivery d) {
        if (gone.get()) {
            d.nack(HOLD);
            return;
        }
        byte[] payload = d.payloadBytes();
        String line;
        if (json) {
            Json j = Json.object()
                    .put("from", d.from().value())
                    .put("lane", d.lane())
                    .put("seq", d.seq())
                    .put("redelivered", d.isRedelivery())
                    .put("attempt", d.attempt())
                    .put("headers", d.headers());
            line = Payloads.addTo(j, payload).toString();
        } else {
            line = d.from() + " " + d.lane() + " #" + d.seq() + (d.isRedelivery() ? " (redelivered)" : "") + ": "
                    + Payloads.forLine(payload);
        }
        boolean failed;
        synchronized (out) {
            out.println(line);
            out.flush();
            failed = out.checkError(); // PrintWriter keeps write errors to itself; this is the only way to see them
        }
        if (failed) {
            d.nack(HOLD);
            gone.set(true);
            tell();
        }
    }
}
