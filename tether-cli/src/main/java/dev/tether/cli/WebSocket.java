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
import java.util.Arrays;
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
    private static final byte[] NOTHING = new byte[0];

    private final InputStream in;
    private final OutputStream out;
    private final int maxMessage;
    private boolean closeSent;
    /** The mask of the frame being read (reading is one thread's). */
    private final byte[] mask = new byte[4];

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
     * The next text message, or null once the client closed (the close is answered). A message's fragments are read
     * into one buffer that doubles as it fills (up to {@code maxMessage}), so joining them costs time and memory
     * linear in the message, however many fragments (empty ones too) it comes in.
     *
     * @throws ProtocolException on a frame the protocol forbids (answered with a close frame carrying its status),
     *     1009 for a message whose fragments together are larger than {@code maxMessage}
     */
    String readText() throws IOException {
        byte[] message = NOTHING;
        int size = 0;
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
            if (opcode < CLOSE && size + length > maxMessage) {
                throw violation(1009, "message larger than " + maxMessage + " bytes");
            }
            switch (opcode) {
                case CLOSE -> {
                    unmask(length);
                    close(1000, "");
                    return null;
                }
                case PING -> write(PONG, unmask(length));
                case PONG -> unmask(length);
                case TEXT, CONTINUATION -> {
                    if ((opcode == TEXT) == inMessage) throw violation(1002, "unexpected frame " + opcode);
                    message = room(message, size + (int) length);
                    unmask(message, size, (int) length);
                    size += (int) length;
                    inMessage = !fin;
                    if (fin) return utf8(message, size);
                }
                case BINARY -> throw violation(1003, "binary messages are not accepted");
                default -> throw violation(1002, "unknown opcode " + opcode);
            }
        }
    }

    /** {@code b}, or a copy twice as long (at least {@code needed}, at most {@code maxMessage}) if it is too short. */
    private byte[] room(byte[] b, int needed) {
        if (needed <= b.length) return b;
        int grown = Math.max(needed, Math.min(maxMessage, Math.max(256, 2 * b.length)));
        return Arrays.copyOf(b, grown);
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

    /** A control frame's payload ({@code length} at most 125), unmasked. */
    private byte[] unmask(long length) throws IOException {
        byte[] p = new byte[(int) length];
        unmask(p, 0, p.length);
        return p;
    }

    /** Reads a frame's mask and its {@code length} bytes of payload into {@code to} at {@code at}, unmasked. */
    private void unmask(byte[] to, int at, int length) throws IOException {
        if (in.readNBytes(mask, 0, 4) < 4 || in.readNBytes(to, at, length) < length)
            throw new EOFException("connection closed inside a frame");
        for (int i = 0; i < length; i++) to[at + i] ^= mask[i & 3];
    }

    private String utf8(byte[] b, int length) throws IOException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b, 0, length))
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
}
