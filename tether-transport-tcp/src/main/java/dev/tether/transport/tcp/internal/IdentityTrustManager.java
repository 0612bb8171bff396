package dev.tether.transport.tcp.internal;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The configured trust manager, plus the reading of which node ids the peer's certificate proves ({@link
 * CertificateIdentity}) once the chain is trusted. Both run inside the {@code SSLEngine}'s delegated task, on a
 * {@link TlsHandshakeExecutor} thread, not on the I/O thread; the ids are kept in the handshake session, where the
 * handshake's check of the id the peer claims in its HELLO ({@link PeerCertificate}) finds them.
 *
 * <p>Only what the delegate decides decides: this class adds no check of its own and passes every failure through.
 * A delegate that is not an {@link X509ExtendedTrustManager} is asked with the plain methods.
 */
final class IdentityTrustManager extends X509ExtendedTrustManager {
    /** The session value holding the proven ids (an unmodifiable {@code List<String>}). */
    static final String PROVEN_IDS = "dev.tether.transport.tcp.provenIds";

    private final X509TrustManager delegate;

    IdentityTrustManager(X509TrustManager delegate) {
        this.delegate = delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        if (delegate instanceof X509ExtendedTrustManager x) x.checkClientTrusted(chain, authType, engine);
        else delegate.checkClientTrusted(chain, authType);
        remember(chain, engine.getHandshakeSession());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        if (delegate instanceof X509ExtendedTrustManager x) x.checkServerTrusted(chain, authType, engine);
        else delegate.checkServerTrusted(chain, authType);
        remember(chain, engine.getHandshakeSession());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        if (delegate instanceof X509ExtendedTrustManager x) x.checkClientTrusted(chain, authType, socket);
        else delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        if (delegate instanceof X509ExtendedTrustManager x) x.checkServerTrusted(chain, authType, socket);
        else delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    private static void remember(X509Certificate[] chain, SSLSession handshake) {
        if (handshake == null || chain.length == 0) return;
        handshake.putValue(PROVEN_IDS, List.copyOf(CertificateIdentity.provenIds(chain[0])));
    }
}
