package dev.tether.transport.tcp.internal;

import java.nio.charset.StandardCharsets;

/**
 * A decoded HELLO record: who the sender says it is, whether it dialed, whether it uses a pre-shared key,
 * the largest frame it accepts, and its random nonce. The id is not validated here.
 */
public record Hello(int flags, int maxFrameBytes, byte[] nonce, String nodeId) {
    /** Whether the sender dialed this connection. */
    public boolean dialer() {
        return (flags & Wire.FLAG_DIALER) != 0;
    }

    /** Whether the sender authenticates with a pre-shared key. */
    public boolean psk() {
        return (flags & Wire.FLAG_PSK) != 0;
    }

    /**
     * Decodes a HELLO body (after the type byte) of {@code body.length} bytes.
     *
     * @throws WireException if the body is malformed
     */
    static Hello decode(byte[] body) {
        int fixed = 1 + 4 + Wire.NONCE_BYTES + 1;
        if (body.length < fixed) {
            throw new WireException("malformed HELLO: " + body.length + " bytes, expected at least " + fixed);
        }
        int flags = body[0] & 0xff;
        int maxFrame = ((body[1] & 0xff) << 24) | ((body[2] & 0xff) << 16) | ((body[3] & 0xff) << 8) | (body[4] & 0xff);
        byte[] nonce = new byte[Wire.NONCE_BYTES];
        System.arraycopy(body, 5, nonce, 0, Wire.NONCE_BYTES);
        int idLength = body[fixed - 1] & 0xff;
        if (body.length != fixed + idLength) {
            throw new WireException(
                    "malformed HELLO: id length " + idLength + " does not match the record length " + body.length);
        }
        if ((flags & ~(Wire.FLAG_DIALER | Wire.FLAG_PSK)) != 0) {
            throw new WireException("malformed HELLO: unknown flags 0x" + Integer.toHexString(flags));
        }
        if (maxFrame < 1) throw new WireException("malformed HELLO: max frame size " + maxFrame);
        return new Hello(flags, maxFrame, nonce, new String(body, fixed, idLength, StandardCharsets.ISO_8859_1));
    }
}
