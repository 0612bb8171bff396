package dev.tether.transport.tcp;

import dev.tether.InvalidConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS settings of a {@link TcpTransport}: this node's certificate and key, the certificates it trusts, and
 * whether connections are mutually authenticated. Immutable and thread-safe.
 *
 * <p>Identity: a certificate proves the node ids named by its subject alternative names of type URI {@code
 * tether:node:<id>}, or, if it has none, the id equal to its subject CN. A dialing node always checks that the
 * node it reached proves the id it dialed. With {@linkplain #mutual(boolean) mutual} TLS (the default) the
 * accepting node also requires a client certificate signed by a trusted CA that proves the id the client
 * claims; without it the client's id is taken on its word. Host names are not checked: node ids are.
 *
 * <p>Failure: the factories read and check all key material at once and throw {@link InvalidConfigException}
 * naming the file and the problem.
 */
public final class TcpTls {
    private final KeyManagerFactory keyManagers;
    private final TrustManagerFactory trustManagers;
    private final boolean mutual;

    private TcpTls(KeyManagerFactory keyManagers, TrustManagerFactory trustManagers, boolean mutual) {
        this.keyManagers = keyManagers;
        this.trustManagers = trustManagers;
        this.mutual = mutual;
    }

    /**
     * Key material from PKCS12 key stores: {@code keyStore} holds this node's key and certificate chain (the
     * key's password is the store's), {@code trustStore} the trusted CA certificates.
     */
    public static TcpTls fromKeyStores(
            Path keyStore, char[] keyStorePassword, Path trustStore, char[] trustStorePassword) {
        KeyStore keys = load(keyStore, keyStorePassword);
        KeyStore trusted = load(trustStore, trustStorePassword);
        return new TcpTls(keyManagers(keys, keyStorePassword, keyStore), trustManagers(trusted, trustStore), true);
    }

    /**
     * Key material from PEM files: {@code certificateChain} (this node's certificate first), {@code
     * privateKey} (an unencrypted PKCS#8 RSA or EC key, "BEGIN PRIVATE KEY") and {@code trustedCertificates}
     * (the CA certificates to trust).
     */
    public static TcpTls fromPem(Path certificateChain, Path privateKey, Path trustedCertificates) {
        Certificate[] chain = certificates(certificateChain).toArray(Certificate[]::new);
        if (chain.length == 0) throw new InvalidConfigException("no certificate in " + certificateChain);
        PrivateKey key = privateKey(privateKey);
        char[] password = new char[0];
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("node", key, password, chain);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int i = 0;
            for (Certificate ca : certificates(trustedCertificates)) trusted.setCertificateEntry("ca" + i++, ca);
            if (i == 0) throw new InvalidConfigException("no certificate in " + trustedCertificates);
            return new TcpTls(
                    keyManagers(keys, password, privateKey), trustManagers(trusted, trustedCertificates), true);
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidConfigException(
                    "cannot combine " + certificateChain + " and " + privateKey + ": " + e.getMessage(), e);
        }
    }

    /**
     * Key and trust managers as given, with mutual TLS: for this package's tests, which plug in trust managers that
     * record or hold their checks.
     */
    static TcpTls of(KeyManagerFactory keyManagers, TrustManagerFactory trustManagers) {
        return new TcpTls(keyManagers, trustManagers, true);
    }

    /** The same settings, with client certificates required ({@code true}, the default) or not requested. */
    public TcpTls mutual(boolean required) {
        return new TcpTls(keyManagers, trustManagers, required);
    }

    /** Whether peers must present certificates too (mutual TLS). */
    public boolean isMutual() {
        return mutual;
    }

    /** This node's key and certificate chain. */
    public KeyManagerFactory keyManagerFactory() {
        return keyManagers;
    }

    /** The trusted CA certificates. */
    public TrustManagerFactory trustManagerFactory() {
        return trustManagers;
    }

    private static KeyStore load(Path path, char[] password) {
        Objects.requireNonNull(path, "key store path");
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidConfigException("cannot read PKCS12 key store " + path + ": " + e.getMessage(), e);
        }
    }

    private static KeyManagerFactory keyManagers(KeyStore store, char[] password, Path source) {
        try {
            KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            f.init(store, password);
            return f;
        } catch (GeneralSecurityException e) {
            throw new InvalidConfigException("cannot use the key in " + source + ": " + e.getMessage(), e);
        }
    }

    private static TrustManagerFactory trustManagers(KeyStore store, Path source) {
        try {
            if (store.size() == 0) throw new InvalidConfigException("no trusted certificate in " + source);
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            return f;
        } catch (GeneralSecurityException e) {
            throw new InvalidConfigException(
                    "cannot use the trusted certificates in " + source + ": " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidConfigException("cannot read certificates from " + path + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path path) {
        String pem;
        try {
            pem = Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new InvalidConfigException("cannot read private key " + path + ": " + e.getMessage(), e);
        }
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new InvalidConfigException("no unencrypted PKCS#8 key (\"" + begin + "\") in " + path
                    + "; convert it with openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("malformed base64 in private key " + path, e);
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new InvalidConfigException("private key in " + path + " is neither an RSA nor an EC PKCS#8 key");
    }
}
