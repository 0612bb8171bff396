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
 * Who may use the admin endpoint. Without {@code --admin-token-file}: anyone on loopback (the endpoint binds loopback
 * only), unless the request is one a web page could have made ({@link PageRequests}: a Host that is not a loopback
 * name, a foreign Origin, a cross-site or same-site {@code Sec-Fetch-Site}), which is refused (403). With a token file:
 * only a request that presents the token, as {@code Authorization: Bearer TOKEN} or (for a browser's page and its
 * event stream, which cannot set headers) the query parameter {@code token}, from loopback too. Loopback is not
 * exempt then because a proxy on the same machine (a TLS terminator, as docs/OPERATIONS.md advises) connects from
 * loopback on behalf of every remote client. Immutable, thread-safe.
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
     * Without a token: refuses a request from a non-loopback {@code remote}, and one from loopback that a web page
     * could have made ({@link PageRequests}). With a token: refuses every request that does not present it.
     *
     * @throws HttpError 401 naming what is missing or wrong, 403 for a page's request without the token
     */
    void check(InetAddress remote, HttpHead head, Map<String, List<String>> query) throws HttpError {
        boolean loopback = remote == null || remote.isLoopbackAddress();
        String presented = presented(head, query);
        if (token == null) {
            if (!loopback) throw new HttpError(401, "the admin endpoint serves loopback only");
            String pageRequest = PageRequests.refusal(head);
            if (pageRequest != null) throw new HttpError(403, pageRequest);
            return;
        }
        if (presented == null) {
            String pageRequest = loopback ? PageRequests.refusal(head) : null;
            if (pageRequest != null) throw new HttpError(403, pageRequest);
            String from = remote == null ? "" : " from " + remote.getHostAddress();
            throw new HttpError(
                    401,
                    "a request" + from + " needs the admin token (the endpoint has --admin-token-file, loopback"
                            + " included): Authorization: Bearer TOKEN (or ?token=TOKEN)");
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
