package dev.tether.transport.tcp.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pre-shared-key challenge-response. Each side proves it knows the cluster key by sending
 * HMAC-SHA256(key, label | role | dialer nonce | acceptor nonce | dialer id | acceptor id), where role is 1
 * for the dialer's proof and 2 for the acceptor's. Both fresh nonces make a recorded proof useless on another
 * connection; the role keeps a side's own proof from being reflected back to it; the ids bind the proof to
 * the two identities claimed in the HELLOs. It authenticates the handshake only: it does not encrypt or
 * protect the frames that follow (use TLS for that).
 */
public final class PskAuth {
    private static final byte[] LABEL = "tether-psk-v1".getBytes(StandardCharsets.US_ASCII);
    static final int DIALER = 1;
    static final int ACCEPTOR = 2;

    private final SecretKeySpec key;

    public PskAuth(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** The proof sent by the side with {@code role}. */
    byte[] proof(int role, byte[] dialerNonce, byte[] acceptorNonce, String dialerId, String acceptorId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(LABEL);
            mac.update((byte) role);
            mac.update(dialerNonce);
            mac.update(acceptorNonce);
            byte[] d = dialerId.getBytes(StandardCharsets.ISO_8859_1);
            mac.update((byte) d.length);
            mac.update(d);
            byte[] a = acceptorId.getBytes(StandardCharsets.ISO_8859_1);
            mac.update((byte) a.length);
            mac.update(a);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Constant-time comparison of a received proof with the expected one. */
    static boolean matches(byte[] expected, byte[] received) {
        return MessageDigest.isEqual(expected, received);
    }
}
