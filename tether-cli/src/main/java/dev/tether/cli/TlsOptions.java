package dev.tether.cli;

import dev.tether.transport.tcp.TcpTls;
import dev.tether.transport.tcp.TcpTransport;
import java.io.IOException;
import java.nio.file.Files;

/** Turns the {@code --tls-*} and {@code --psk-file} flags into TCP transport settings. */
final class TlsOptions {
    private TlsOptions() {}

    static void apply(NodeOptions o, TcpTransport.Builder b) {
        boolean pem = o.tlsCert != null || o.tlsKey != null || o.tlsCa != null;
        boolean stores = o.tlsKeyStore != null || o.tlsTrustStore != null;
        if (pem && stores)
            throw o.invalid("give TLS material either as PEM (--tls-cert/--tls-key/--tls-ca) or as"
                    + " PKCS12 stores (--tls-keystore/--tls-truststore), not both");
        TcpTls tls = null;
        if (pem) {
            if (o.tlsCert == null || o.tlsKey == null || o.tlsCa == null) {
                throw o.invalid("PEM TLS needs all of --tls-cert, --tls-key and --tls-ca");
            }
            tls = TcpTls.fromPem(o.tlsCert, o.tlsKey, o.tlsCa);
        } else if (stores) {
            if (o.tlsKeyStore == null || o.tlsTrustStore == null) {
                throw o.invalid("PKCS12 TLS needs both --tls-keystore and --tls-truststore");
            }
            tls = TcpTls.fromKeyStores(
                    o.tlsKeyStore,
                    o.tlsKeyStorePassword.toCharArray(),
                    o.tlsTrustStore,
                    o.tlsTrustStorePassword.toCharArray());
        } else if (o.tlsNoClientAuth) {
            throw o.invalid("--tls-no-client-auth needs TLS material");
        }
        if (tls != null) b.tls(tls.mutual(!o.tlsNoClientAuth));
        if (o.pskFile != null) {
            try {
                b.preSharedKey(Files.readAllBytes(o.pskFile));
            } catch (IOException e) {
                throw o.invalid("--psk-file: cannot read " + o.pskFile + ": " + e.getMessage());
            }
        }
    }

    static boolean enabled(NodeOptions o) {
        return o.tlsCert != null || o.tlsKeyStore != null;
    }
}
