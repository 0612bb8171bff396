package dev.tether.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The one log format of the {@code tether} command, one line per entry on stderr:
 * {@code 2026-11-23T10:15:30.123Z WARN source: message}. The node's events and everything logged through {@code
 * java.util.logging} (the library's {@code System.Logger}, jnats, Netty, sqlite-jdbc) use it; {@link #install}
 * routes the latter here.
 */
final class CliLog {
    private CliLog() {}

    /** One log line, without the line end. */
    static String line(String level, String source, String message) {
        return Instant.now() + " " + level + " " + source + ": " + message;
    }

    /**
     * Replaces the handlers of {@code java.util.logging}'s root logger with one that writes {@link #line}s to
     * {@code err}, at INFO and above ({@code quiet}: WARN and above).
     */
    static void install(PrintStream err, boolean quiet) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Level level = quiet ? Level.WARNING : Level.INFO;
        root.setLevel(level);
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (!isLoggable(r)) return;
                String text = getFormatter().format(r);
                synchronized (err) {
                    err.print(text);
                    err.flush();
                }
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {
                err.flush();
            }
        };
        h.setLevel(level);
        h.setFormatter(new OneLine());
        root.addHandler(h);
    }

    /** The level names of {@link #line}: ERROR, WARN, INFO, DEBUG. */
    static String levelName(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) return "ERROR";
        if (v >= Level.WARNING.intValue()) return "WARN";
        if (v >= Level.INFO.intValue()) return "INFO";
        return "DEBUG";
    }

    private static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            String message = formatMessage(r);
            Throwable t = r.getThrown();
            if (t != null) message += " (" + t + (t.getCause() != null ? ", caused by " + t.getCause() : "") + ")";
            String source = r.getLoggerName() == null ? "-" : r.getLoggerName();
            return line(levelName(r.getLevel()), source, message.replace('\n', ' ')) + System.lineSeparator();
        }
    }
}
