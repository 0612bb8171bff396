package dev.tether.transport.tcp;

import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A test trust manager over the JDK's PKIX one for a {@link TestPki} trust store: it records the threads its checks run
 * on, and it can hold the check of one subject (a certificate whose subject is {@code CN=<held>}) until {@link
 * #release()}, as a slow custom verifier (say, a revocation check) would.
 */
final class CheckingTrustManager extends X509ExtendedTrustManager {
    private static final Duration LONGEST_HOLD = Duration.ofSeconds(30);

    private final X509ExtendedTrustManager pkix;
    private final String held;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Checks against {@code trustStore}; holds the check of {@code CN=<held>} (null: holds none). */
    CheckingTrustManager(Path trustStore, String held) {
        this.held = held == null ? null : "CN=" + held;
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, TestPki.PASSWORD);
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            this.pkix = (X509ExtendedTrustManager) f.getTrustManagers()[0];
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** TLS settings with {@code keys}' key and this trust manager. */
    TcpTls tls(TestPki.Issued keys) {
        TrustManager self = this;
        TrustManagerFactory factory = new SimpleTrustManagerFactory() {
            @Override
            protected void engineInit(KeyStore keyStore) {}

            @Override
            protected void engineInit(ManagerFactoryParameters parameters) {}

            @Override
            protected TrustManager[] engineGetTrustManagers() {
                return new TrustManager[] {self};
            }
        };
        return TcpTls.of(keys.keyStoreTls().keyManagerFactory(), factory);
    }

    /** The threads the checks ran on so far. */
    Set<Thread> threads() {
        return Set.copyOf(threads);
    }

    /** Waits until the held subject's check has started (and holds). */
    boolean awaitHolding(Duration timeout) throws InterruptedException {
        return holding.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets the held check (and any later one) go on. */
    void release() {
        released.countDown();
    }

    private void checked(X509Certificate[] chain) {
        threads.add(Thread.currentThread());
        if (held == null || !chain[0].getSubjectX500Principal().getName().equals(held)) return;
        holding.countDown();
        try {
            if (!released.await(LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("held check never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checked(chain);
        pkix.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checked(chain);
        pkix.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checked(chain);
        pkix.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checked(chain);
        pkix.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checked(chain);
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checked(chain);
        pkix.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
