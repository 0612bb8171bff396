package dev.tether.cli;

import dev.tether.Delivery;
import java.io.PrintWriter;

/**
 * Prints each delivery as one line, text or JSON. The handler acknowledges after the line is written and
 * flushed, so a delivery that was printed is never lost, and one whose line may not have reached the output
 * (a crash in between) is delivered again, flagged as a redelivery.
 */
final class DeliveryPrinter {
    private final PrintWriter out;
    private final boolean json;

    DeliveryPrinter(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void print(Delivery d) {
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
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
