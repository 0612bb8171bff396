package dev.tether.cli;

import dev.tether.TetherEvent;
import java.io.PrintStream;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The log of the {@code tether} command, one line per entry on stderr, as text ({@code 2026-11-23T10:15:30.123Z
 * WARN source: message}) or, with {@code --log-format json}, one JSON object per line ({@code time}, {@code
 * level}, {@code source}, {@code message}; a node event has {@code event}, its type, and one field per component
 * instead of a message). The node's events and everything logged through {@code java.util.logging} (the library's
 * {@code System.Logger}, jnats, Netty, sqlite-jdbc) use it; {@link #install} routes the latter here. The level and
 * format can change while the process runs ({@link #configure}: {@code tether node} reloads its level).
 */
final class CliLog {
    /** The levels of {@code --log-level}, most severe first. */
    enum LogLevel {
        ERROR(Level.SEVERE),
        WARN(Level.WARNING),
        INFO(Level.INFO),
        DEBUG(Level.FINE);

        final Level jul;

        LogLevel(Level jul) {
            this.jul = jul;
        }

        /** {@code error}, {@code warn}, {@code info} or {@code debug}, any case. */
        static LogLevel parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown log level '" + name + "' (expected error, warn, info or debug)", e);
            }
        }
    }

    /** The values of {@code --log-format}. */
    enum LogFormat {
        TEXT,
        JSON
    }

    private static volatile LogLevel level = LogLevel.INFO;
    private static volatile LogFormat format = LogFormat.TEXT;
    private static volatile Handler handler;

    private CliLog() {}

    /** One log line, without the line end, in the current format. */
    static String line(String level, String source, String message) {
        if (format == LogFormat.JSON) {
            return json(level, source).put("message", message).toString();
        }
        return Instant.now() + " " + level + " " + source + ": " + message;
    }

    /** One line for a node event: its fields as JSON fields, or its text form. */
    static String event(String level, String source, TetherEvent e) {
        if (format != LogFormat.JSON) return line(level, source, e.toString());
        Json j = json(level, source).put("event", e.getClass().getSimpleName());
        for (RecordComponent c : e.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(e);
            } catch (ReflectiveOperationException x) {
                v = "<" + x + ">";
            }
            if (v instanceof Number n && !(v instanceof Double || v instanceof Float))
                j.put(c.getName(), n.longValue());
            else if (v instanceof Boolean b) j.put(c.getName(), b);
            else j.put(c.getName(), v == null ? null : v.toString());
        }
        return j.toString();
    }

    private static Json json(String level, String source) {
        return Json.object()
                .put("time", Instant.now().toString())
                .put("level", level)
                .put("source", source);
    }

    /** Whether entries of {@code l} are logged at the current level. */
    static boolean enabled(LogLevel l) {
        return l.ordinal() <= level.ordinal();
    }

    static LogLevel level() {
        return level;
    }

    static LogFormat format() {
        return format;
    }

    /** Sets the level and format from now on, also for {@code java.util.logging}. */
    static synchronized void configure(LogLevel newLevel, LogFormat newFormat) {
        level = newLevel;
        format = newFormat;
        Logger.getLogger("").setLevel(newLevel.jul);
        Handler h = handler;
        if (h != null) h.setLevel(newLevel.jul);
    }

    /**
     * Replaces the handlers of {@code java.util.logging}'s root logger with one that writes {@link #line}s to
     * {@code err}, at INFO and above ({@code quiet}: WARN and above).
     */
    static synchronized void install(PrintStream err, boolean quiet) {
        LogManager.getLogManager().reset();
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
        h.setFormatter(new OneLine());
        Logger.getLogger("").addHandler(h);
        handler = h;
        configure(quiet ? LogLevel.WARN : LogLevel.INFO, format);
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
