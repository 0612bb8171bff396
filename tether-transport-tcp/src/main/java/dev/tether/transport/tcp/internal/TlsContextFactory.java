package dev.tether.transport.tcp.internal;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the Netty TLS contexts (JDK provider) from key and trust managers. Host names are not verified: a
 * node is identified by the node id its certificate proves ({@link CertificateIdentity}), checked in the
 * handshake, not by the address it was dialed at. The trust manager is wrapped in an {@link IdentityTrustManager},
 * so the proven ids are read where the chain is checked, off the I/O thread.
 */
public final class TlsContextFactory {
    private TlsContextFactory() {}

    public static Settings.TlsContexts create(KeyManagerFactory keys, TrustManagerFactory trust, boolean mutual)
            throws SSLException {
        TrustManager identity = new IdentityTrustManager(x509(trust));
        var server = SslContextBuilder.forServer(keys)
                .sslProvider(SslProvider.JDK)
                .trustManager(identity)
                .clientAuth(mutual ? ClientAuth.REQUIRE : ClientAuth.NONE)
                .build();
        var client = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .keyManager(keys)
                .trustManager(identity)
                .endpointIdentificationAlgorithm(null)
                .build();
        return new Settings.TlsContexts(server, client, mutual);
    }

    private static X509TrustManager x509(TrustManagerFactory trust) throws SSLException {
        for (TrustManager m : trust.getTrustManagers()) {
            if (m instanceof X509TrustManager x) return x;
        }
        throw new SSLException("the trust manager factory (" + trust.getAlgorithm() + ") has no X.509 trust manager");
    }
}
