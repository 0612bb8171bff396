package dev.tether.transport.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI generated at test time (nothing is committed): a CA and node certificates (EC P-256) that
 * name their node in the CN and in a {@code tether:node:<id>} URI subject alternative name, written as PKCS12
 * stores and PEM files into a directory: {@code <ca>-ca.crt}, and per issued certificate {@code <ca>-<file>.crt}, a
 * PKCS#8 key {@code <ca>-<file>.key}, a PKCS12 key store {@code <ca>-<file>.p12}, and the trust store {@code
 * <ca>-trust.p12}. Also used by tether-system-tests (through this module's test jar) for the CLI's TLS options.
 */
public final class TestPki {
    public static final char[] PASSWORD = "changeit".toCharArray();
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate caCert;

    /** A new CA called {@code name}; its files go into {@code dir}. */
    public TestPki(Path dir, String name) {
        this.dir = dir;
        this.name = name;
        this.caKeys = keyPair();
        X500Name subject = new X500Name("CN=" + name);
        try {
            this.caCert = sign(
                    new JcaX509v3CertificateBuilder(
                                    subject, serial(), notBefore(), notAfter(), subject, caKeys.getPublic())
                            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
                    caKeys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writePem(caCertificate(), "CERTIFICATE", encoded(caCert));
    }

    /** This CA's certificate (PEM). */
    public Path caCertificate() {
        return dir.resolve(name + "-ca.crt");
    }

    /** Files of one issued certificate. */
    public record Issued(Path keyStore, Path certificate, Path privateKey, Path trustStore, Path caCertificate) {
        public TcpTls keyStoreTls() {
            return TcpTls.fromKeyStores(keyStore, PASSWORD, trustStore, PASSWORD);
        }

        public TcpTls pemTls() {
            return TcpTls.fromPem(certificate, privateKey, caCertificate);
        }

        /** The issued certificate, read back from its PEM file. */
        public X509Certificate x509() {
            try (InputStream in = Files.newInputStream(certificate)) {
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A certificate for node {@code id} (CN and SAN), and a trust store holding this CA. */
    public Issued issue(String id) {
        return issue(id, id);
    }

    /** A certificate whose files are called {@code fileName} and that proves node {@code provenId}. */
    public Issued issue(String fileName, String provenId) {
        return issue(fileName, provenId, nodeUri(provenId));
    }

    /**
     * A certificate whose files are called {@code fileName}, with subject CN {@code commonName} and exactly the
     * subject alternative names {@code altNames} (none: no such extension), to test which of them prove an id.
     */
    public Issued issue(String fileName, String commonName, AltName... altNames) {
        try {
            KeyPair keys = keyPair();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            caCert,
                            serial(),
                            notBefore(),
                            notAfter(),
                            new X500Name("CN=" + commonName),
                            keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                    }));
            if (altNames.length > 0) {
                GeneralName[] names = new GeneralName[altNames.length];
                for (int i = 0; i < names.length; i++) names[i] = new GeneralName(altNames[i].tag, altNames[i].value);
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            X509Certificate cert = sign(b, caKeys);
            String base = name + "-" + fileName;
            Path keyStore = dir.resolve(base + ".p12");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("node", keys.getPrivate(), PASSWORD, new X509Certificate[] {cert, caCert});
            store(ks, keyStore);
            Path trustStore = dir.resolve(name + "-trust.p12");
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", caCert);
            store(ts, trustStore);
            Path certFile = dir.resolve(base + ".crt");
            writePem(certFile, "CERTIFICATE", encoded(cert));
            Path keyFile = dir.resolve(base + ".key");
            writePem(keyFile, "PRIVATE KEY", keys.getPrivate().getEncoded());
            return new Issued(keyStore, certFile, keyFile, trustStore, caCertificate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A subject alternative name: its GeneralName tag and value. */
    public record AltName(int tag, String value) {}

    /** A URI subject alternative name {@code tether:node:<id>}, which names a node. */
    public static AltName nodeUri(String id) {
        return uri("tether:node:" + id);
    }

    /** A URI subject alternative name of any form. */
    public static AltName uri(String uri) {
        return new AltName(GeneralName.uniformResourceIdentifier, uri);
    }

    /** A DNS subject alternative name, written as given (not checked for DNS syntax). */
    public static AltName dnsName(String name) {
        return new AltName(GeneralName.dNSName, name);
    }

    private static void store(KeyStore ks, Path path) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(path)) {
            ks.store(out, PASSWORD);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer) {
        try {
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writePem(Path path, String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        String pem = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
        try {
            Files.writeString(path, pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }
}
