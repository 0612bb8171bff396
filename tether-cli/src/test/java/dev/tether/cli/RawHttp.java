package dev.tether.cli;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP requests written byte for byte to a loopback port, for tests that send what a browser or an attacker would
 * (bad escapes, foreign hosts, lying lengths) and read the whole answer. The endpoints close after one answer.
 */
final class RawHttp {
    private RawHttp() {}

    /** Sends {@code request} as it is (ISO-8859-1) and returns everything the endpoint answers until it closes. */
    static String exchange(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code GET target} with the loopback literal as its host. */
    static String get(String target) {
        return get(target, "127.0.0.1");
    }

    static String get(String target, String host) {
        return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    }
}
