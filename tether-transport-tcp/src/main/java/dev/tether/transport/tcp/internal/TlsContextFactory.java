package dev.tether.transport.tcp.internal;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the Netty TLS contexts (JDK provider) from key and trust managers. Host names are not verified: a
 * node is identified by the node id its certificate proves ({@link CertificateIdentity}), checked in the
 * handshake, not by the address it was dialed at.
 */
public final class TlsContextFactory {
    private TlsContextFactory() {}

    public static Settings.TlsContexts create(KeyManagerFactory keys, TrustManagerFactory trust, boolean mutual)
            throws SSLException {
        var server = SslContextBuilder.forServer(keys)
                .sslProvider(SslProvider.JDK)
                .trustManager(trust)
                .clientAuth(mutual ? ClientAuth.REQUIRE : ClientAuth.NONE)
                .build();
        var client = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .keyManager(keys)
                .trustManager(trust)
                .endpointIdentificationAlgorithm(null)
                .build();
        return new Settings.TlsContexts(server, client, mutual);
    }
}
