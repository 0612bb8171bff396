package dev.tether.cli;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The start line and header fields of an HTTP/1.1 request or response, read with a size limit so that a peer
 * cannot make the reader buffer without bound. Lines end with CRLF (a bare LF is accepted). Header names are
 * case-insensitive; a repeated header keeps its last value. Immutable.
 */
final class HttpHead {
    /** The largest head the admin endpoint and its client read. */
    static final int MAX_BYTES = 16 << 10;

    private final String startLine;
    private final Map<String, String> headers;

    private HttpHead(String startLine, Map<String, String> headers) {
        this.startLine = startLine;
        this.headers = headers;
    }

    String startLine() {
        return startLine;
    }

    /** The value of header {@code name}, or null. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The declared body length, or -1 if there is no Content-Length header. */
    long contentLength() throws HttpError {
        String v = header("content-length");
        if (v == null) return -1;
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // named below
        }
        throw new HttpError(400, "invalid Content-Length: '" + v + "'");
    }

    boolean chunked() {
        String te = header("transfer-encoding");
        return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
    }

    /**
     * Reads a head from {@code in}.
     *
     * @return null if the stream ended before the first byte
     * @throws HttpError 431 if the head is longer than {@code maxBytes}, 400 if a header line is malformed
     * @throws EOFException if the stream ends inside the head
     */
    static HttpHead read(InputStream in, int maxBytes) throws IOException {
        int[] budget = {maxBytes};
        String start = line(in, budget, true);
        if (start == null) return null;
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in, budget, false); !l.isEmpty(); l = line(in, budget, false)) {
            int colon = l.indexOf(':');
            if (colon <= 0) throw new HttpError(400, "malformed header line: '" + l + "'");
            headers.put(
                    l.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    l.substring(colon + 1).trim());
        }
        return new HttpHead(start, headers);
    }

    private static String line(InputStream in, int[] budget, boolean first) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        for (int c = in.read(); ; c = in.read()) {
            if (c < 0) {
                if (first && b.size() == 0) return null;
                throw new EOFException("the connection closed inside the HTTP head");
            }
            if (--budget[0] < 0) throw new HttpError(431, "HTTP head longer than " + MAX_BYTES + " bytes");
            if (c == '\n') break;
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
