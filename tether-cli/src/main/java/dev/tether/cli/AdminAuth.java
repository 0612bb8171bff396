package dev.tether.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/**
 * Who may use the admin endpoint: anyone on loopback, as before, unless the request is one a web page of another
 * site could have made ({@link PageRequests}: a Host that is not a loopback name, a foreign Origin), which is refused
 * (403) unless it presents the token; from any other address only a request that presents the token of {@code
 * --admin-token-file}, as {@code Authorization: Bearer TOKEN} or (for a browser's page and its event stream, which
 * cannot set headers) the query parameter {@code token}. Without a token file the endpoint binds loopback only.
 * Immutable, thread-safe.
 */
final class AdminAuth {
    /** The shortest token accepted: 16 characters. */
    static final int MIN_TOKEN = 16;

    private final byte[] token;

    private AdminAuth(byte[] token) {
        this.token = token;
    }

    /** Loopback only: no token. */
    static AdminAuth loopbackOnly() {
        return new AdminAuth(null);
    }

    /**
     * The token in {@code file} (its first line, trimmed).
     *
     * @throws IllegalArgumentException if it cannot be read or is shorter than {@value #MIN_TOKEN} characters
     */
    static AdminAuth fromFile(Path file) {
        String t;
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            t = lines.isEmpty() ? "" : lines.get(0).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("--admin-token-file " + file + ": cannot read it: " + e.getMessage());
        }
        if (t.length() < MIN_TOKEN) {
            throw new IllegalArgumentException("--admin-token-file " + file + ": the token must have at least "
                    + MIN_TOKEN + " characters on its first line, has " + t.length());
        }
        return new AdminAuth(t.getBytes(StandardCharsets.UTF_8));
    }

    /** The token itself, for a client that presents it; null if there is none. */
    String token() {
        return token == null ? null : new String(token, StandardCharsets.UTF_8);
    }

    boolean hasToken() {
        return token != null;
    }

    /**
     * Refuses a request from a non-loopback {@code remote} without the token, and one from loopback that a web page
     * could have made ({@link PageRequests}) without the token.
     *
     * @throws HttpError 401 naming what is missing or wrong, 403 for a page's request without the token
     */
    void check(InetAddress remote, HttpHead head, Map<String, List<String>> query) throws HttpError {
        String presented = presented(head, query);
        if (remote == null || remote.isLoopbackAddress()) {
            String pageRequest = PageRequests.refusal(head);
            if (pageRequest == null) return;
            if (token == null || presented == null) throw new HttpError(403, pageRequest);
        } else if (token == null) {
            throw new HttpError(401, "the admin endpoint serves loopback only");
        }
        if (presented == null) {
            throw new HttpError(
                    401,
                    "a request from " + remote.getHostAddress() + " needs the admin token:"
                            + " Authorization: Bearer TOKEN (or ?token=TOKEN)");
        }
        if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            throw new HttpError(401, "wrong admin token");
        }
    }

    /** The token the request presents, as a header or (for a browser's page) a query parameter; null if none. */
    private static String presented(HttpHead head, Map<String, List<String>> query) {
        String auth = head.header("authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7))
            return auth.substring(7).strip();
        return AdminServer.first(query, "token", null);
    }
}
