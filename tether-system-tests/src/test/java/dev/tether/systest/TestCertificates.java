package dev.tether.systest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
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
 * A certificate authority made at test time (EC P-256; nothing is committed), writing PEM files for the CLI's
 * {@code --tls-cert/--tls-key/--tls-ca}: its own certificate {@code <ca>-ca.crt}, and per issued node
 * certificate {@code <ca>-<file>.crt} and a PKCS#8 key {@code <ca>-<file>.key}. A node certificate proves its
 * node id the way the TCP transport checks it: in the CN and in a {@code tether:node:<id>} URI subject
 * alternative name.
 */
final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    /** PEM files of one node certificate. */
    record Pem(Path certificate, Path key, Path ca) {}

    private final Path dir;
    private final String name;
    private final KeyPair keys = keyPair();
    private final X509Certificate certificate;

    TestCertificates(Path dir, String name) {
        this.dir = dir;
        this.name = name;
        X500Name subject = new X500Name("CN=" + name);
        try {
            certificate = sign(
                    new JcaX509v3CertificateBuilder(
                                    subject, serial(), notBefore(), notAfter(), subject, keys.getPublic())
                            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
                    keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writePem(caFile(), "CERTIFICATE", encoded(certificate));
    }

    /** A certificate proving node {@code provenId}, in files named after {@code fileName}. */
    Pem issue(String fileName, String provenId) {
        KeyPair node = keyPair();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            certificate,
                            serial(),
                            notBefore(),
                            notAfter(),
                            new X500Name("CN=" + provenId),
                            node.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                    }))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(
                                    new GeneralName(GeneralName.uniformResourceIdentifier, "tether:node:" + provenId)));
            Path cert = dir.resolve(name + "-" + fileName + ".crt");
            Path key = dir.resolve(name + "-" + fileName + ".key");
            writePem(cert, "CERTIFICATE", encoded(sign(b, keys)));
            writePem(key, "PRIVATE KEY", node.getPrivate().getEncoded());
            return new Pem(cert, key, caFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path caFile() {
        return dir.resolve(name + "-ca.crt");
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
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writePem(Path path, String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        try {
            Files.writeString(
                    path,
                    "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
                    StandardCharsets.US_ASCII);
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
