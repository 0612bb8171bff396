package dev.tether.internal.call;

import dev.tether.CallKind;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reserved headers that turn a Tether message into a call or a reply (docs/PROTOCOL.md, "Calls"). Names start
 * with {@code ':'}, which applications cannot use; they are short because they travel with every call.
 */
final class CallHeaders {
    /** The called handler's name. */
    static final String HANDLER = ":h";
    /** The kind: {@link #TELL}, {@link #SYNC}, {@link #REQUEST} or {@link #REPLY}. */
    static final String KIND = ":k";
    /**
     * On a reply: the request it answers, {@code lane#seq#epoch}: the request's lane and sequence number, and the
     * caller's store epoch in hexadecimal (so a reply to an earlier incarnation of the caller, whose numbers started
     * again, never answers a later call).
     */
    static final String CORRELATION = ":c";
    /** On an error reply: the remote exception's type, or {@link #NO_SUCH_HANDLER}. */
    static final String ERROR_TYPE = ":e";
    /** On an error reply: the remote exception's message. */
    static final String ERROR_MESSAGE = ":m";
    /** On a call: wait for the handler to be registered instead of failing ({@code "1"}). */
    static final String WAIT = ":w";

    static final String TELL = "t";
    static final String SYNC = "s";
    static final String REQUEST = "r";
    static final String REPLY = "p";

    /** The error type of a call whose handler the callee does not have; not a Java class name ('-'). */
    static final String NO_SUCH_HANDLER = "no-such-handler";

    /**
     * The error type of a call to an endpoint the callee does not have; the error message is the endpoint's name. Not
     * a Java class name ('-').
     */
    static final String NO_SUCH_ENDPOINT = "no-such-endpoint";

    /**
     * The error type of a call not executed because its idempotency key was processed already; the error message is
     * the original call's {@code lane#seq}. Not a Java class name ('-').
     */
    static final String DUPLICATE = "duplicate-idempotency-key";

    /** Longest error message carried in a reply, in characters; the rest is cut. */
    static final int MAX_ERROR_MESSAGE = 2_000;

    private CallHeaders() {}

    static String code(CallKind kind) {
        return switch (kind) {
            case TELL -> TELL;
            case SYNC -> SYNC;
            case REQUEST -> REQUEST;
        };
    }

    /** The kind of a call for its {@link #KIND} value, or null if it is not a call kind. */
    static CallKind kind(String code) {
        if (code.length() != 1) return null;
        return switch (code.charAt(0)) {
            case 't' -> CallKind.TELL;
            case 's' -> CallKind.SYNC;
            case 'r' -> CallKind.REQUEST;
            default -> null;
        };
    }

    /** The headers of a call: the application's, then the reserved ones. */
    static Map<String, String> call(Map<String, String> application, String handler, CallKind kind, boolean wait) {
        Map<String, String> h = new LinkedHashMap<>(application.size() * 2 + 6);
        h.putAll(application);
        h.put(HANDLER, handler);
        h.put(KIND, code(kind));
        if (wait) h.put(WAIT, "1");
        return h;
    }

    /** The correlation value naming the request {@code seq} on {@code lane} from the caller of {@code epoch}. */
    static String correlation(String lane, long seq, long epoch) {
        return lane + '#' + seq + '#' + Long.toHexString(epoch);
    }

    /** Whether the application's view of {@code headers} differs from them (some are reserved). */
    static boolean hasReserved(Map<String, String> headers) {
        for (String k : headers.keySet()) {
            if (!k.isEmpty() && k.charAt(0) == ':') return true;
        }
        return false;
    }

    /** {@code headers} without the reserved ones; the same map if it has none. */
    static Map<String, String> application(Map<String, String> headers) {
        if (!hasReserved(headers)) return headers;
        Map<String, String> app = new LinkedHashMap<>();
        headers.forEach((k, v) -> {
            if (k.isEmpty() || k.charAt(0) != ':') app.put(k, v);
        });
        return java.util.Collections.unmodifiableMap(app);
    }

    /** {@code message} cut to {@link #MAX_ERROR_MESSAGE} characters; empty for null. */
    static String errorMessage(String message) {
        if (message == null) return "";
        return message.length() <= MAX_ERROR_MESSAGE ? message : message.substring(0, MAX_ERROR_MESSAGE) + "...";
    }
}
