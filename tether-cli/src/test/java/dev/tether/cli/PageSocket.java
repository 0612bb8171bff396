package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chat page as a test drives it: a socket that asks {@link ChatWeb} for its WebSocket and reads the server's frames
 * (unmasked, unfragmented, as {@link WebSocket} writes them), or that asks and then reads nothing at all. Reads fail
 * after the socket's read timeout instead of waiting for good.
 */
final class PageSocket implements AutoCloseable {
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    /** One frame from the server: its opcode and payload. */
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** A close frame's status. */
        int status() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        /** A close frame's reason. */
        String reason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final List<String> notices = new ArrayList<>();

    private PageSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /**
     * Connects to {@code server} with a receive buffer of {@code receiveBuffer} bytes (0: the system's) and sends the
     * upgrade request; reads fail after {@code readTimeout}. Nothing is read yet.
     */
    static PageSocket connect(InetSocketAddress server, int receiveBuffer, Duration readTimeout) throws IOException {
        Socket s = new Socket();
        try {
            if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
            s.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
            s.connect(server);
            String host = "127.0.0.1:" + server.getPort();
            s.getOutputStream()
                    .write(("GET /ws HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host + "\r\n"
                                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                                    + "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new PageSocket(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Reads the answer to the upgrade request, which must accept it. */
    PageSocket upgraded() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.readUnsignedByte());
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        return this;
    }

    /** The next frame. */
    Frame read() throws IOException {
        int opcode = in.readUnsignedByte() & 0x0f;
        long n = in.readUnsignedByte() & 0x7f;
        if (n == 126) n = in.readUnsignedShort();
        else if (n == 127) n = in.readLong();
        byte[] payload = new byte[Math.toIntExact(n)];
        in.readFully(payload);
        return new Frame(opcode, payload);
    }

    /** The next frame, which must be a text frame, as text. */
    String readText() throws IOException {
        Frame f = read();
        assertThat(f.opcode()).as("a text frame: %s", f.text()).isEqualTo(1);
        return f.text();
    }

    /** Reads frames until the next chat line and returns its sequence number; notices read are kept. */
    long nextSeq() throws IOException {
        while (true) {
            String json = readText();
            Optional<Long> seq = seq(json);
            if (seq.isPresent()) return seq.get();
            if (json.contains("\"type\":\"notice\"")) notices.add(json);
        }
    }

    /** Reads frames until a notice containing {@code text} was read (maybe already, by {@link #nextSeq}). */
    String awaitNotice(String text) throws IOException {
        while (true) {
            for (String n : notices) {
                if (n.contains(text)) return n;
            }
            String json = readText();
            if (json.contains("\"type\":\"notice\"")) notices.add(json);
        }
    }

    /** The sequence number of the chat line {@code json}; empty if it is another message. */
    static Optional<Long> seq(String json) {
        if (!json.contains("\"type\":\"message\"")) return Optional.empty();
        Matcher m = SEQ.matcher(json);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
