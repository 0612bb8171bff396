package dev.tether.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A server URL jnats cannot parse is refused when it is given, naming the URL, not later on the connect thread. */
class NatsServerUrlTest {
    @Test
    void aMalformedServerUrlIsRefusedNamingIt() {
        assertThatThrownBy(() -> NatsTransport.builder().servers("nats://a:4222", "nats://host:notaport"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("NATS server URL 'nats://host:notaport' is not valid: ")
                .hasMessageContaining("Unable to parse URI string");
        assertThatThrownBy(() -> NatsTransport.builder().servers("http://x:4222"))
                .hasMessageStartingWith("NATS server URL 'http://x:4222' is not valid: ")
                .hasMessageContaining("Unsupported NATS URI scheme");
        assertThatThrownBy(() -> NatsTransport.builder().servers("nats://ho st:4222"))
                .hasMessageStartingWith("NATS server URL 'nats://ho st:4222' is not valid: ");
    }

    @Test
    void theUrlsJnatsAcceptsStillBuild() {
        assertThat(NatsTransport.builder()
                        .servers("nats://127.0.0.1:4222", "tls://h:4222", "localhost", "nats://[::1]:4222")
                        .build())
                .isNotNull();
    }
}
