package dev.tether.cli;

/**
 * The exit codes of every {@code tether} command (README.md, "Exit codes"). A node stopped by SIGTERM or SIGINT
 * exits 0 once it has drained (or kept the rest stored); only a SIGKILL leaves it 137.
 */
final class ExitCode {
    /** Done as asked. */
    static final int OK = 0;

    /** A failure while running, named on stderr; nothing is in doubt (a refused message was not stored). */
    static final int FAILURE = 1;

    /** The command line is wrong: unknown command, option or value. */
    static final int USAGE = 2;

    /**
     * {@code tether send}: the outcome of some messages is in doubt: the node may have stored them (so they will
     * be delivered) without saying so in time, or stored them but they were not processed within the wait. {@code
     * tether call}, {@code tether request}: no answer by the deadline, so the handler may or may not have run.
     */
    static final int IN_DOUBT = 3;

    /** {@code tether call}, {@code tether request}: the remote handler failed; its error type and message are named. */
    static final int REMOTE_ERROR = 4;

    private ExitCode() {}
}
