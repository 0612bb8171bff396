package dev.tether.transport.tcp.internal;

import dev.tether.NodeId;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The handshake's check that the peer's TLS certificate proves the node id the peer claims in its HELLO. The costly
 * part, reading the ids out of the certificate, was done in the TLS handshake's delegated task off the I/O thread
 * ({@link IdentityTrustManager}); here, on the I/O thread, the claim is only looked up in that list. A resumed TLS
 * session, whose certificate no trust manager saw in this handshake, has no such list: its certificate is read here
 * (rare, and the certificate was verified when the session was first established).
 */
final class PeerCertificate {
    private PeerCertificate() {}

    /**
     * Checks that the verified certificate of the connection {@code ssl} secures proves {@code id}.
     *
     * @throws WireException if it presented none, or its certificate does not prove {@code id}
     */
    static void checkProves(SslHandler ssl, NodeId id) {
        SSLSession session = ssl == null ? null : ssl.engine().getSession();
        Certificate[] chain;
        try {
            chain = session == null ? null : session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            chain = null;
        }
        if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            throw new WireException("the peer claims id " + id + " but presented no certificate");
        }
        List<String> proven = provenIds(session, leaf);
        if (!proven.contains(id.value())) {
            throw new WireException("the peer claims id " + id + " but its certificate ("
                    + leaf.getSubjectX500Principal().getName() + ") proves " + proven);
        }
    }

    private static List<String> provenIds(SSLSession session, X509Certificate leaf) {
        if (session.getValue(IdentityTrustManager.PROVEN_IDS) instanceof List<?> ids) {
            return ids.stream().map(String::valueOf).toList();
        }
        return CertificateIdentity.provenIds(leaf);
    }
}
