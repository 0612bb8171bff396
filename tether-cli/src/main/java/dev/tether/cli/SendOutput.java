package dev.tether.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * What {@code tether send} prints: one line per message in the order given (text: done ones on stdout, the others
 * on stderr; {@code --json}: every message as a JSON object on stdout), a progress line on a terminal, and at the
 * end what is in doubt and how to check it. Decides the exit code. Thread-safe: the thread reading answers and
 * the progress timer share it.
 */
final class SendOutput {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean progress;
    private final boolean stdoutIsTerminal;
    private final long startNanos = System.nanoTime();
    private long sent;
    private long ok;
    private long refused;
    private long stored;
    private long unknown;
    private long firstUnknown;
    private long lastUnknown;
    private boolean commandFailed;
    private boolean progressShown;
    private String notSent;

    SendOutput(PrintWriter out, PrintWriter err, boolean json, boolean progress, boolean stdoutIsTerminal) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.progress = progress;
        this.stdoutIsTerminal = stdoutIsTerminal;
    }

    synchronized void sent(long n) {
        sent += n;
    }

    synchronized long answered() {
        return ok + refused + stored + unknown;
    }

    synchronized void result(SendResult r) {
        switch (r.kind()) {
            case OK -> ok++;
            case REFUSED -> refused++;
            case STORED -> stored++;
            case UNKNOWN -> {
                if (unknown++ == 0) firstUnknown = r.index();
                lastUnknown = r.index();
            }
        }
        if (json) {
            clearProgressIfSharingTheTerminal();
            out.println(r.toJson());
        } else if (r.kind() == SendResult.Kind.OK) {
            clearProgressIfSharingTheTerminal();
            out.println(r.toText());
        } else {
            clearProgress();
            err.println("tether send: " + r.toText());
            err.flush();
        }
    }

    /** Messages {@code from..to} were handed over but no answer will come: their outcome is unknown. */
    synchronized void lost(long from, long to, String why) {
        if (to < from) return;
        if (json) {
            for (long i = from; i <= to; i++) result(SendResult.unknown(i, why));
            return;
        }
        if (unknown == 0) firstUnknown = from;
        unknown += to - from + 1;
        lastUnknown = to;
        clearProgress();
        err.println("tether send: " + (from == to ? "message " + from : "messages " + from + " to " + to)
                + ": outcome unknown: " + why);
        err.flush();
    }

    /** Input from message {@code from} on was not sent at all. */
    synchronized void notSentFrom(long from, String why) {
        if (notSent == null) notSent = "messages from " + from + " on were not sent (" + why + ")";
    }

    /** A failure of the whole command (the endpoint refused the request, could not be reached). */
    synchronized void commandFailure(String message) {
        clearProgress();
        commandFailed = true;
        err.println("tether send: " + message);
        err.flush();
    }

    /** Redraws the progress line; called by a timer while the command runs. */
    synchronized void drawProgress() {
        if (!progress) return;
        out.flush();
        err.print("\r" + progressLine() + "\033[K");
        err.flush();
        progressShown = true;
    }

    private String progressLine() {
        double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
        long answered = answered();
        return String.format(
                Locale.ROOT,
                "tether send: %,d sent, %,d answered (%,d done, %,d failed, %,d in doubt), %,.0f msg/s",
                sent,
                answered,
                ok,
                refused,
                stored + unknown,
                answered / seconds);
    }

    private void clearProgressIfSharingTheTerminal() {
        if (stdoutIsTerminal) clearProgress();
    }

    private void clearProgress() {
        if (!progressShown) return;
        err.print("\r\033[K");
        err.flush();
        progressShown = false;
    }

    /** Prints the closing lines and returns the exit code (0, 1, or 3 when an outcome is in doubt). */
    synchronized int finish() {
        out.flush();
        if (progress) {
            clearProgress();
            err.println(progressLine());
        }
        if (notSent != null) err.println("tether send: " + notSent);
        if (unknown > 0) {
            err.println("tether send: the outcome of " + unknown + (unknown == 1 ? " message" : " messages")
                    + (unknown == 1 ? " (message " + firstUnknown : " (messages " + firstUnknown + " to " + lastUnknown)
                    + ") is unknown: they may have been stored, and will then be delivered. Before sending them"
                    + " again, check what the node holds: `tether stats` (queued per stream) or `tether inspect"
                    + " --store FILE` (pending messages per peer and lane, with sequence numbers). Sent again, they"
                    + " may be delivered twice, unless the receiver drops duplicates, for example by a --header"
                    + " id:VALUE it checks.");
        }
        err.flush();
        if (unknown > 0 || stored > 0) return ExitCode.IN_DOUBT;
        return commandFailed || refused > 0 || notSent != null ? ExitCode.FAILURE : ExitCode.OK;
    }
}
