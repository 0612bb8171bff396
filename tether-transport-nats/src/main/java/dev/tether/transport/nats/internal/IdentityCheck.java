package dev.tether.transport.nats.internal;

import dev.tether.NodeId;
import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Checks on a fresh connection that the NATS server refuses this node publishing as another node, which is what
 * makes the ids of peers proven when the deployment declares per-node permissions ({@code identityEnforced}).
 *
 * <p>How: for each subject of {@link Subjects#identityCheck} (a presence subject and an inbox subject, both naming a
 * sender no node id encodes to), publish a short text and wait for the refusal. A server that enforces the
 * permissions {@code tether nats-config} generates answers the publish with {@code -ERR 'Permissions Violation for
 * Publish to "<subject>"'}, which jnats records as the connection's last error. Anything else within the timeout
 * (no error, another error) means the check failed. The subjects carry a fresh nonce, so an error left from an
 * earlier check never counts. Each check leaves two "Publish Violation" lines in the
 * server's log; that is expected (docs/NATS.md).
 *
 * <p>This proves only that this node's own credentials are restricted; that every other client on the prefix is
 * restricted too is the deployment's promise, which the flag declares.
 *
 * <p>Threading: {@link #run} blocks for two server round trips where the server enforces the permissions, for up to
 * twice the timeout where it does not; call it before the session starts, while nothing else publishes on the
 * connection. The static helpers are pure.
 */
public final class IdentityCheck {
    private static final String VIOLATION = "permissions violation for ";
    /** How often the last error is looked at while waiting for a refusal: far below a round trip's cost. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private IdentityCheck() {}

    /** What a check found: {@code enforced}, or why not. */
    public record Result(boolean enforced, String reason) {
        static final Result ENFORCED = new Result(true, null);
    }

    /** Publishes the check subjects for {@code nonce} as {@code self} and reports whether the server refused both. */
    public static Result run(Connection c, Subjects subjects, NodeId self, long nonce, Duration timeout) {
        byte[] note = ("tether identity check by " + self).getBytes(StandardCharsets.US_ASCII);
        for (String subject : subjects.identityCheck(nonce)) {
            try {
                c.publish(subject, note);
            } catch (IllegalStateException | IllegalArgumentException e) {
                return new Result(false, "the check on " + subject + " could not be published: " + e.getMessage());
            }
            if (!awaitRefusal(c, subject, timeout)) {
                return new Result(
                        false,
                        "the server did not refuse node " + self + " publishing on " + subject + ", a subject of"
                                + " another sender, within " + timeout.toMillis() + " ms, so it does not enforce"
                                + " per-node permissions on this prefix (configure it with the block 'tether"
                                + " nats-config' prints)");
            }
        }
        return Result.ENFORCED;
    }

    /**
     * Waits until jnats records the server's refusal of the publish on {@code subject} as the connection's last
     * error, or {@code timeout} passes. The last error is set by jnats's reader thread as it reads the {@code -ERR},
     * so this works on any thread, also jnats's callback thread (which reports errors to listeners later). A
     * flush is no substitute: right after a reconnect its PONG can arrive before the refusal.
     */
    private static boolean awaitRefusal(Connection c, String subject, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!refusedPublish(c.getLastError(), subject)) {
            if (System.nanoTime() - deadline > 0 || Thread.currentThread().isInterrupted()) return false;
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }

    /** Whether {@code error}, as jnats reports a server {@code -ERR}, is a permissions violation. */
    public static boolean isPermissionViolation(String error) {
        return error != null && error.toLowerCase(Locale.ROOT).startsWith(VIOLATION);
    }

    /** Whether {@code error} refuses a publish to exactly {@code subject}. */
    static boolean refusedPublish(String error, String subject) {
        return isPermissionViolation(error)
                && error.regionMatches(true, VIOLATION.length(), "publish", 0, "publish".length())
                && subject.equals(subjectOf(error));
    }

    /** The quoted subject of a permissions violation, or null if it names none. */
    public static String subjectOf(String error) {
        int open = error.indexOf('"');
        int close = open < 0 ? -1 : error.indexOf('"', open + 1);
        return close < 0 ? null : error.substring(open + 1, close);
    }

    /** Whether a permissions violation concerns a subscription rather than a publish. */
    public static boolean isSubscription(String error) {
        return error.regionMatches(true, VIOLATION.length(), "subscription", 0, "subscription".length());
    }
}
