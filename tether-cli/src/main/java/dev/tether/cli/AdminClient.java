package dev.tether.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;

/**
 * One request to a node's admin endpoint ({@link AdminServer}) over a plain socket: HTTP/1.1, the body either
 * fixed or chunked and written while the answer is read (a {@code tether send} stream is full duplex). Says what
 * it found when the address is not an admin endpoint, or nobody answers. Threading: one thread writes the body,
 * one reads the answer.
 */
final class AdminClient implements AutoCloseable {
    /** Nobody accepted the connection: the request was not sent at all. */
    static final class Unreachable extends IOException {
        private static final long serialVersionUID = 1L;

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Something answered, but not a Tether admin endpoint; says what it looked like. */
    static final class NotAnAdminEndpoint extends IOException {
        private static final long serialVersionUID = 1L;

        NotAnAdminEndpoint(String message) {
            super(message);
        }
    }

    /** The status and body of an answer. */
    record Response(int status, HttpHead head, InputStream body) {}

    private final InetSocketAddress address;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private String token;

    private AdminClient(InetSocketAddress address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 << 10);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
    }

    /**
     * Connects to {@code address}.
     *
     * @throws Unreachable if nobody accepts the connection within {@code timeout}
     */
    static AdminClient connect(InetSocketAddress address, Duration timeout) throws IOException {
        InetSocketAddress resolved =
                address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(resolved, (int) timeout.toMillis());
        } catch (ConnectException | SocketTimeoutException e) {
            s.close();
            throw new Unreachable(
                    "cannot reach the node's admin endpoint at " + HostPort.format(address) + " ("
                            + (e instanceof SocketTimeoutException
                                    ? "no answer within " + timeout.toMillis() + " ms"
                                    : "connection refused")
                            + "; is `tether node --admin " + HostPort.format(address) + "` running?)",
                    e);
        } catch (IOException e) {
            s.close();
            throw new Unreachable(
                    "cannot reach the node's admin endpoint at " + HostPort.format(address) + ": " + e.getMessage(), e);
        }
        return new AdminClient(address, s);
    }

    /** Writes a request head; the body, if any, follows on the returned stream (chunked if {@code length} < 0). */
    OutputStream request(String method, String pathAndQuery, long length) throws IOException {
        String head = method + " " + pathAndQuery + " HTTP/1.1\r\nHost: " + HostPort.format(address)
                + "\r\nUser-Agent: tether\r\nConnection: close\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + (length < 0 ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + length + "\r\n") + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        if (length < 0) return new HttpBody.ChunkedOut(out);
        return out;
    }

    /** Presents {@code token} ({@code --admin-token-file}) with the requests from now on; null: none. */
    AdminClient token(String token) {
        this.token = token;
        return this;
    }

    /** Sends what was written so far. */
    void flush() throws IOException {
        out.flush();
    }

    /**
     * Reads the answer's head, waiting up to {@code timeout} for each read.
     *
     * @throws NotAnAdminEndpoint if the peer answers with something other than HTTP
     * @throws EOFException if the connection closed before any answer
     */
    Response response(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        in.mark(16);
        byte[] first = in.readNBytes(5);
        if (first.length == 0) {
            throw new EOFException(
                    "the admin endpoint at " + HostPort.format(address) + " closed the connection without an answer");
        }
        if (!new String(first, StandardCharsets.ISO_8859_1).equals("HTTP/")) {
            in.reset();
            throw new NotAnAdminEndpoint(HostPort.format(address) + " is not a Tether admin endpoint: " + whatIs(in)
                    + "; give --admin the address of the node's --admin option (its ready line shows admin=HOST:PORT)");
        }
        in.reset();
        HttpHead head = HttpHead.read(in, HttpHead.MAX_BYTES);
        if (head == null) throw new EOFException("no answer");
        String[] parts = head.startLine().split(" ", 3);
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (RuntimeException e) {
            throw new NotAnAdminEndpoint(
                    HostPort.format(address) + " answered with a malformed status line: '" + head.startLine() + "'");
        }
        if (status == 100) return response(timeout); // 100 Continue: the real answer follows
        return new Response(status, head, HttpBody.of(head, in));
    }

    /** Names what answered with the bytes waiting in {@code in}, which did not start with "HTTP/". */
    private static String whatIs(InputStream in) throws IOException {
        byte[] b = in.readNBytes(8);
        String text = new String(b, StandardCharsets.ISO_8859_1);
        if (text.startsWith("TTHR")) {
            return "it answered with the handshake of a Tether peer port (the TCP transport, --listen)";
        }
        if (b.length >= 2 && (b[0] == 0x15 || b[0] == 0x16) && b[1] == 0x03) {
            return "it answered with TLS (a Tether peer port with TLS, or another TLS server)";
        }
        if (text.startsWith("INFO ")) return "it is a NATS server";
        return "it answered with bytes that are not HTTP ("
                + HexFormat.ofDelimiter(" ").formatHex(b) + ")";
    }

    /** Half-closes the connection: the request is complete, the answer can still be read. */
    void endRequest() throws IOException {
        out.flush();
        socket.shutdownOutput();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is best effort.
        }
    }
}
