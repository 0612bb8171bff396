package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What {@link DeliveryPrinter} does once its output fails (stdout's reader went away): no line it could not print is
 * acknowledged, and the action registered for it runs exactly once, whether the failure comes before or after the
 * registration (audit 11: the failing print and the registration could both run it). {@link ClosedStdoutTest} shows
 * the same with a real process.
 */
class DeliveryPrinterTest {
    private final AtomicInteger told = new AtomicInteger();
    private final DeliveryPrinter printer = new DeliveryPrinter(new PrintWriter(new BrokenWriter()), false);

    @Test
    void aFailureBeforeTheActionIsRegisteredRunsItOnceAtTheRegistration() {
        PrintedDelivery first = delivery();
        printer.print(first);
        assertThat(told).as("nothing registered yet").hasValue(0);

        printer.onOutputGone(told::incrementAndGet);
        PrintedDelivery second = delivery();
        printer.print(second);

        assertThat(told).hasValue(1);
        assertThat(first.nacks).containsExactly(DeliveryPrinter.HOLD);
        assertThat(second.nacks)
                .as("not printed after the failure: held, not acknowledged")
                .containsExactly(DeliveryPrinter.HOLD);
    }

    @Test
    void failuresAfterTheRegistrationRunTheActionOnce() {
        printer.onOutputGone(told::incrementAndGet);
        printer.print(delivery());
        printer.print(delivery());
        printer.onOutputGone(told::incrementAndGet);

        assertThat(told).hasValue(1);
    }

    private static PrintedDelivery delivery() {
        return new PrintedDelivery("x".getBytes(StandardCharsets.UTF_8), false);
    }

    /** Stdout after its reader went away. */
    private static final class BrokenWriter extends Writer {
        @Override
        public void write(char[] buf, int off, int len) throws IOException {
            throw new IOException("Broken pipe");
        }

        @Override
        public void flush() throws IOException {
            throw new IOException("Broken pipe");
        }

        @Override
        public void close() {}
    }
}
