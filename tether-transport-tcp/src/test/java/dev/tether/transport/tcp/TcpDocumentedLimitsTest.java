package dev.tether.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.InvalidConfigException;
import dev.tether.transport.tcp.internal.SettingsBuilder;
import dev.tether.transport.tcp.internal.Wire;
import org.junit.jupiter.api.Test;

/**
 * The constants docs/TCP.md states, pinned here so that changing one without the document fails a test (as
 * DocumentedTimingsTest does for the engine's timings).
 */
class TcpDocumentedLimitsTest {
    /** TCP.md, the builder example and "Pre-shared key": "at least 16 bytes". */
    @Test
    void aPreSharedKeyNeedsAtLeast16Bytes() {
        assertThatThrownBy(() -> TcpTransport.builder().preSharedKey(new byte[15]))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("pre-shared key must have at least 16 bytes");
        TcpTransport t = TcpTransport.builder().preSharedKey(new byte[16]).build();
        t.close();
    }

    /** TCP.md, the builder example: "default 16 MiB". */
    @Test
    void maxFrameBytesDefaultsTo16MiB() {
        TcpTransport t = TcpTransport.builder().build();
        try {
            assertThat(t.maxFrameBytes()).isEqualTo(16 << 20);
        } finally {
            t.close();
        }
    }

    /** TCP.md, the builder table: at most 16 accepted connections per IP address in the handshake by default. */
    @Test
    void pendingHandshakesPerAddressDefaultTo16AndMustBePositive() {
        assertThat(SettingsBuilder.DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS).isEqualTo(16);
        assertThat(SettingsBuilder.DEFAULT_MAX_PENDING_HANDSHAKES).isEqualTo(256);
        assertThatThrownBy(() -> TcpTransport.builder().maxPendingHandshakesPerAddress(0))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("maxPendingHandshakesPerAddress must be at least 1: 0");
    }

    /** TCP.md, "Failures": handshake records of 1 to 512 bytes, control records of 1 to 65536. */
    @Test
    void recordLimitsAreTheDocumentedOnes() {
        assertThat(Wire.MAX_HANDSHAKE_RECORD).isEqualTo(512);
        assertThat(Wire.MAX_CONTROL_BYTES).isEqualTo(65_536);
        assertThat(Wire.NONCE_BYTES).as("TCP.md: fresh 32-byte nonces").isEqualTo(32);
    }
}
