package dev.tether.transport.tcp.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The byte layout of a TCP connection (docs/TCP.md, "Wire format"). Every connection starts, in both
 * directions, with a 6-byte preamble (magic and version); then come length-prefixed records: handshake
 * records (a type byte and a body) until the handshake completes, then data records that each carry one frame,
 * heartbeats and control records (member lists).
 */
public final class Wire {
    /** The magic that starts every connection: ASCII "TTHR". */
    public static final int MAGIC = 0x54544852;

    /** The transport protocol version this implementation speaks. */
    public static final int VERSION = 2;

    /** Magic (4 bytes) and version (2 bytes). */
    public static final int PREAMBLE_BYTES = 6;

    /** The length prefix of every record. */
    public static final int LENGTH_BYTES = 4;

    /** Largest handshake record body: a HELLO with a 64-character id is 107 bytes, a REJECT at most 402. */
    public static final int MAX_HANDSHAKE_RECORD = 512;

    /** The length value of a heartbeat record in the data phase (it has no body). */
    public static final int HEARTBEAT = -1;

    /** The length value that starts a control record in the data phase: a body length and a type follow. */
    public static final int CONTROL = -2;

    /** Largest control record body (type byte included). */
    public static final int MAX_CONTROL_BYTES = 64 * 1024;

    /** Control record type: a member list ({@link Members}). */
    public static final int CONTROL_MEMBERS = 1;

    /** Bytes of the random nonce in a HELLO. */
    public static final int NONCE_BYTES = 32;

    /** Bytes of a pre-shared-key proof in an AUTH record (HMAC-SHA256). */
    public static final int MAC_BYTES = 32;

    /** Longest reason carried by a REJECT, in bytes. */
    public static final int MAX_REASON_BYTES = 400;

    // handshake record types
    public static final int HELLO = 1;
    public static final int AUTH = 2;
    public static final int ACCEPT = 3;
    public static final int REJECT = 4;
    public static final int CONFIRM = 5;

    // HELLO flags
    public static final int FLAG_DIALER = 1;
    public static final int FLAG_PSK = 2;

    // REJECT codes
    /** The connection lost the tie-break against another connection between the same two nodes. */
    public static final int REJECT_DUPLICATE = 1;
    /** The handshake failed; the reason says why. */
    public static final int REJECT_ERROR = 2;
    /** The node does not admit the peer (not configured, unproven, refused by its allow-list, removed). */
    public static final int REJECT_NOT_ADMITTED = 3;

    private Wire() {}

    /** The preamble followed by a HELLO record. */
    public static ByteBuf preambleAndHello(ByteBufAllocator alloc, Hello hello) {
        byte[] id = hello.nodeId().getBytes(StandardCharsets.US_ASCII);
        int body = 1 + 1 + 4 + NONCE_BYTES + 1 + id.length;
        ByteBuf b = alloc.buffer(PREAMBLE_BYTES + LENGTH_BYTES + body);
        b.writeInt(MAGIC).writeShort(VERSION);
        b.writeInt(body).writeByte(HELLO).writeByte(hello.flags()).writeInt(hello.maxFrameBytes());
        b.writeBytes(hello.nonce());
        b.writeByte(id.length).writeBytes(id);
        return b;
    }

    /** An AUTH record carrying {@code mac}. */
    public static ByteBuf auth(ByteBufAllocator alloc, byte[] mac) {
        return alloc.buffer(LENGTH_BYTES + 1 + mac.length)
                .writeInt(1 + mac.length)
                .writeByte(AUTH)
                .writeBytes(mac);
    }

    /** An ACCEPT record. */
    public static ByteBuf accept(ByteBufAllocator alloc) {
        return alloc.buffer(LENGTH_BYTES + 1).writeInt(1).writeByte(ACCEPT);
    }

    /** A CONFIRM record. */
    public static ByteBuf confirm(ByteBufAllocator alloc) {
        return alloc.buffer(LENGTH_BYTES + 1).writeInt(1).writeByte(CONFIRM);
    }

    /** A REJECT record; {@code reason} is cut to {@link #MAX_REASON_BYTES} bytes. */
    public static ByteBuf reject(ByteBufAllocator alloc, int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, MAX_REASON_BYTES);
        return alloc.buffer(LENGTH_BYTES + 2 + n)
                .writeInt(2 + n)
                .writeByte(REJECT)
                .writeByte(code)
                .writeBytes(text, 0, n);
    }

    /** A control record of {@code type} carrying {@code body} (at most {@link #MAX_CONTROL_BYTES} - 1 bytes). */
    public static ByteBuf control(ByteBufAllocator alloc, int type, byte[] body) {
        return alloc.buffer(2 * LENGTH_BYTES + 1 + body.length)
                .writeInt(CONTROL)
                .writeInt(1 + body.length)
                .writeByte(type)
                .writeBytes(body);
    }

    /** A heartbeat record. */
    public static ByteBuf heartbeat(ByteBufAllocator alloc) {
        return alloc.buffer(LENGTH_BYTES).writeInt(HEARTBEAT);
    }
}
