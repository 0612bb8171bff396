package dev.tether.transport.tcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The pre-shared-key proof binds everything docs/TCP.md ("Pre-shared key") says it binds: a proof differs when
 * only the role differs (so an end's own proof reflected back to it does not pass), when only one nonce differs (so
 * a proof recorded on one connection is useless on another) and when only one id differs (so it is bound to the
 * identities claimed). Each case changes one input of an otherwise identical pair of proofs.
 */
class PskAuthTest {
    private static final byte[] KEY = "0123456789abcdef-cluster".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DIALER_NONCE = nonce(1);
    private static final byte[] ACCEPTOR_NONCE = nonce(2);

    private final PskAuth psk = new PskAuth(KEY);

    @Test
    void theSameInputsGiveTheSameProof() {
        byte[] proof = proof(PskAuth.DIALER, DIALER_NONCE, ACCEPTOR_NONCE, "p", "q");
        assertThat(proof).hasSize(Wire.MAC_BYTES);
        assertThat(PskAuth.matches(
                        proof, proof(PskAuth.DIALER, DIALER_NONCE.clone(), ACCEPTOR_NONCE.clone(), "p", "q")))
                .isTrue();
    }

    @Test
    void theRoleAloneChangesTheProof() {
        byte[] dialers = proof(PskAuth.DIALER, DIALER_NONCE, ACCEPTOR_NONCE, "p", "q");
        byte[] acceptors = proof(PskAuth.ACCEPTOR, DIALER_NONCE, ACCEPTOR_NONCE, "p", "q");
        assertThat(PskAuth.matches(acceptors, dialers))
                .as("the acceptor's proof reflected as the dialer's")
                .isFalse();
    }

    @Test
    void eitherNonceAloneChangesTheProof() {
        byte[] recorded = proof(PskAuth.DIALER, DIALER_NONCE, ACCEPTOR_NONCE, "p", "q");
        byte[] otherDialerNonce = DIALER_NONCE.clone();
        otherDialerNonce[Wire.NONCE_BYTES - 1] ^= 1;
        byte[] otherAcceptorNonce = ACCEPTOR_NONCE.clone();
        otherAcceptorNonce[0] ^= 1;
        assertThat(PskAuth.matches(proof(PskAuth.DIALER, otherDialerNonce, ACCEPTOR_NONCE, "p", "q"), recorded))
                .as("another dialer nonce")
                .isFalse();
        assertThat(PskAuth.matches(proof(PskAuth.DIALER, DIALER_NONCE, otherAcceptorNonce, "p", "q"), recorded))
                .as("another acceptor nonce")
                .isFalse();
    }

    @Test
    void eitherIdAloneChangesTheProof() {
        byte[] proof = proof(PskAuth.DIALER, DIALER_NONCE, ACCEPTOR_NONCE, "p", "q");
        assertThat(PskAuth.matches(proof(PskAuth.DIALER, DIALER_NONCE, ACCEPTOR_NONCE, "r", "q"), proof))
                .as("another dialer id")
                .isFalse();
        assertThat(PskAuth.matches(proof(PskAuth.DIALER, DIALER_NONCE, ACCEPTOR_NONCE, "p", "r"), proof))
                .as("another acceptor id")
                .isFalse();
        // the length prefixes keep the boundary between the ids: "ab"|"c" is not "a"|"bc"
        assertThat(PskAuth.matches(
                        proof(PskAuth.DIALER, DIALER_NONCE, ACCEPTOR_NONCE, "ab", "c"),
                        proof(PskAuth.DIALER, DIALER_NONCE, ACCEPTOR_NONCE, "a", "bc")))
                .as("the same characters split differently")
                .isFalse();
    }

    @Test
    void anotherKeyChangesTheProof() {
        byte[] other = Arrays.copyOf(KEY, KEY.length);
        other[0] ^= 1;
        assertThat(PskAuth.matches(
                        new PskAuth(other).proof(PskAuth.DIALER, DIALER_NONCE, ACCEPTOR_NONCE, "p", "q"),
                        proof(PskAuth.DIALER, DIALER_NONCE, ACCEPTOR_NONCE, "p", "q")))
                .isFalse();
    }

    private byte[] proof(int role, byte[] dialerNonce, byte[] acceptorNonce, String dialerId, String acceptorId) {
        return psk.proof(role, dialerNonce, acceptorNonce, dialerId, acceptorId);
    }

    private static byte[] nonce(int fill) {
        byte[] n = new byte[Wire.NONCE_BYTES];
        Arrays.fill(n, (byte) fill);
        return n;
    }
}
