package dev.tether.metrics.micrometer;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A request head as the scrape endpoint reads it: the request line and the {@code Host}, {@code Origin} and {@code
 * Sec-Fetch-Site} headers,
 * read within a deadline the endpoint sets (a client that sends half a head, or trickles it, is cut off when the
 * deadline passes, whatever it sends) and at most {@value #MAX_HEAD_BYTES} bytes. Bodies are never read.
 */
record ScrapeRequest(String method, String path, String host, String origin, String fetchSite) {
    /** The longest head read; a longer one is refused. */
    static final int MAX_HEAD_BYTES = 8192;

    /**
     * Reads the head of the request on {@code s} until {@code deadlineNanos} ({@link System#nanoTime}).
     *
     * @throws IOException if the head is not complete by then (a {@link SocketTimeoutException}), too long, malformed,
     *     or the connection ends
     */
    static ScrapeRequest read(Socket s, long deadlineNanos) throws IOException {
        InputStream in = s.getInputStream();
        byte[] head = new byte[MAX_HEAD_BYTES];
        int n = 0;
        while (n < 4 || head[n - 4] != '\r' || head[n - 3] != '\n' || head[n - 2] != '\r' || head[n - 1] != '\n') {
            if (n == head.length) throw new IOException("request head longer than " + MAX_HEAD_BYTES + " bytes");
            long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (left <= 0) throw new SocketTimeoutException("request head not complete in time");
            s.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
            int read = in.read(head, n, head.length - n);
            if (read < 0) throw new IOException("connection closed before the request head ended");
            n += read;
        }
        return parse(new String(head, 0, n - 4, StandardCharsets.ISO_8859_1));
    }

    private static ScrapeRequest parse(String head) throws IOException {
        String[] lines = head.split("\r\n");
        String[] parts = lines[0].split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/")) throw new IOException("malformed request line");
        String target = parts[1];
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        String host = null;
        String origin = null;
        String fetchSite = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) throw new IOException("malformed header line");
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("host") && host == null) host = value;
            else if (name.equals("origin") && origin == null) origin = value;
            else if (name.equals("sec-fetch-site") && fetchSite == null) fetchSite = value;
        }
        return new ScrapeRequest(parts[0], path, host, origin, fetchSite);
    }
}
