package dev.tether.cli;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The server side of one WebSocket connection (RFC 6455) after the HTTP upgrade: reads text messages (fragments
 * joined, pings answered, at most {@code maxMessage} bytes), writes text messages and the close handshake. Frames
 * from the client must be masked; a protocol violation closes the connection with the RFC's status code. Reading is
 * one thread's; writing is thread-safe.
 */
final class WebSocket {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int TEXT = 1;
    private static final int BINARY = 2;
    private static final int CONTINUATION = 0;
    private static final int CLOSE = 8;
    private static final int PING = 9;
    private static final int PONG = 10;

    private final InputStream in;
    private final OutputStream out;
    private final int maxMessage;
    private boolean closeSent;

    WebSocket(InputStream in, OutputStream out, int maxMessage) {
        this.in = in;
        this.out = out;
        this.maxMessage = maxMessage;
    }

    /** The {@code Sec-WebSocket-Accept} value for a client's {@code Sec-WebSocket-Key}. */
    static String acceptKey(String key) {
        try {
            byte[] sha1 =
                    MessageDigest.getInstance("SHA-1").digest((key.strip() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
    }

    /** A violation of the protocol by the client: the connection closes with {@code status}. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        ProtocolException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * The next text message, or null once the client closed (the close is answered).
     *
     * @throws ProtocolException on a frame the protocol forbids (answered with a close frame carrying its status)
     */
    String readText() throws IOException {
        byte[] message = new byte[0];
        boolean inMessage = false;
        while (true) {
            int b0 = read();
            int b1 = read();
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0f;
            if ((b0 & 0x70) != 0) throw violation(1002, "reserved bits set");
            if ((b1 & 0x80) == 0) throw violation(1002, "client frame not masked");
            long length = length(b1 & 0x7f);
            if (opcode >= CLOSE && (length > 125 || !fin))
                throw violation(1002, "control frame too long or fragmented");
            if (opcode < CLOSE && message.length + length > maxMessage) {
                throw violation(1009, "message larger than " + maxMessage + " bytes");
            }
            byte[] payload = unmask(length);
            switch (opcode) {
                case CLOSE -> {
                    close(1000, "");
                    return null;
                }
                case PING -> write(PONG, payload);
                case PONG -> {}
                case TEXT, CONTINUATION -> {
                    if ((opcode == TEXT) == inMessage) throw violation(1002, "unexpected frame " + opcode);
                    message = concat(message, payload);
                    inMessage = !fin;
                    if (fin) return utf8(message);
                }
                case BINARY -> throw violation(1003, "binary messages are not accepted");
                default -> throw violation(1002, "unknown opcode " + opcode);
            }
        }
    }

    /** Sends {@code text} as one text frame. */
    void sendText(String text) throws IOException {
        write(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a close frame with {@code status} once; the caller then closes the socket. */
    synchronized void close(int status, String reason) throws IOException {
        if (closeSent) return;
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + Math.min(r.length, 123)];
        p[0] = (byte) (status >> 8);
        p[1] = (byte) status;
        System.arraycopy(r, 0, p, 2, p.length - 2);
        writeFrame(CLOSE, p);
        closeSent = true;
    }

    private synchronized void write(int opcode, byte[] payload) throws IOException {
        if (closeSent) throw new IOException("WebSocket closed");
        writeFrame(opcode, payload);
    }

    private void writeFrame(int opcode, byte[] payload) throws IOException {
        byte[] head;
        int n = payload.length;
        if (n < 126) {
            head = new byte[] {(byte) (0x80 | opcode), (byte) n};
        } else if (n < 65_536) {
            head = new byte[] {(byte) (0x80 | opcode), 126, (byte) (n >> 8), (byte) n};
        } else {
            head = new byte[10];
            head[0] = (byte) (0x80 | opcode);
            head[1] = 127;
            for (int i = 0; i < 8; i++) head[9 - i] = (byte) ((long) n >> (8 * i));
        }
        out.write(head);
        out.write(payload);
        out.flush();
    }

    private ProtocolException violation(int status, String message) throws IOException {
        close(status, message);
        return new ProtocolException(status, message);
    }

    private long length(int seven) throws IOException {
        if (seven < 126) return seven;
        int bytes = seven == 126 ? 2 : 8;
        long n = 0;
        for (int i = 0; i < bytes; i++) n = (n << 8) | read();
        if (n < 0) throw violation(1002, "frame length out of range");
        return n;
    }

    private byte[] unmask(long length) throws IOException {
        byte[] mask = in.readNBytes(4);
        byte[] p = in.readNBytes((int) length);
        if (mask.length < 4 || p.length < length) throw new EOFException("connection closed inside a frame");
        for (int i = 0; i < p.length; i++) p[i] ^= mask[i & 3];
        return p;
    }

    private String utf8(byte[] b) throws IOException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw violation(1007, "text message is not UTF-8");
        }
    }

    private int read() throws IOException {
        int b = in.read();
        if (b < 0) throw new EOFException("connection closed");
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
