package dev.tether.cli;

import dev.tether.InvalidConfigException;
import dev.tether.transport.nats.NatsTransport;
import dev.tether.transport.tcp.TcpTls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Turns the {@code --nats-*} flags into NATS transport settings: authentication (token, user and password, a
 * {@code .creds} file or an nkey seed file), the identity declaration, and TLS to the servers. Every problem is a
 * usage error naming the flag.
 */
final class NatsOptions {
    private NatsOptions() {}

    /** Fails if a NATS-only flag is given without {@code --nats}. */
    static void refuseWithoutNats(NodeOptions o) {
        List<String> given = new ArrayList<>();
        if (o.natsToken != null) given.add("--nats-token");
        if (o.natsUser != null) given.add("--nats-user");
        if (o.natsPassword != null) given.add("--nats-password");
        if (o.natsCreds != null) given.add("--nats-creds");
        if (o.natsNkey != null) given.add("--nats-nkey");
        if (o.natsIdentityEnforced) given.add("--nats-identity-enforced");
        if (o.natsTlsCa != null) given.add("--nats-tls-ca");
        if (o.natsTlsCert != null) given.add("--nats-tls-cert");
        if (o.natsTlsKey != null) given.add("--nats-tls-key");
        if (!given.isEmpty()) throw o.invalid(String.join(", ", given) + ": needs --nats URL");
    }

    /** The transport the flags describe, as the node's only transport. */
    static NatsTransport transport(NodeOptions o) {
        if (o.tlsCert != null
                || o.tlsKey != null
                || o.tlsCa != null
                || o.tlsKeyStore != null
                || o.tlsTrustStore != null
                || o.pskFile != null) {
            throw o.invalid("--tls-* and --psk-file are for TCP; for TLS to NATS use --nats-tls-ca (and"
                    + " --nats-tls-cert/--nats-tls-key if the servers verify clients)");
        }
        return member(o);
    }

    /** The transport the flags describe, beside others ({@code --transports}): TCP's flags are TCP's own. */
    static NatsTransport member(NodeOptions o) {
        if (o.natsPassword != null && o.natsUser == null) throw o.invalid("--nats-password needs --nats-user");
        try {
            NatsTransport.Builder b =
                    NatsTransport.builder().servers(o.natsUrls).prefix(o.natsPrefix);
            if (o.natsToken != null) b.token(o.natsToken.toCharArray());
            if (o.natsUser != null) {
                b.userInfo(o.natsUser, o.natsPassword == null ? new char[0] : o.natsPassword.toCharArray());
            }
            if (o.natsCreds != null) b.credentials(o.natsCreds);
            if (o.natsNkey != null) b.nkey(o.natsNkey);
            b.identityEnforced(o.natsIdentityEnforced);
            SSLContext tls = tls(o);
            if (tls != null) b.sslContext(tls);
            return b.build();
        } catch (InvalidConfigException | IllegalArgumentException e) {
            throw o.invalid("NATS settings: " + e.getMessage());
        }
    }

    /** A description of the security settings for the ready line: "" or " tls", " nkey", " identity-enforced". */
    static String security(NodeOptions o) {
        return (o.natsTlsCa != null ? " tls" : "")
                + (o.natsNkey != null ? " nkey" : "")
                + (o.natsIdentityEnforced ? " identity-enforced" : "");
    }

    private static SSLContext tls(NodeOptions o) {
        if (o.natsTlsCert != null || o.natsTlsKey != null) {
            if (o.natsTlsCert == null || o.natsTlsKey == null || o.natsTlsCa == null) {
                throw o.invalid("a client certificate for NATS needs all of --nats-tls-cert, --nats-tls-key and"
                        + " --nats-tls-ca");
            }
            TcpTls pem = TcpTls.fromPem(o.natsTlsCert, o.natsTlsKey, o.natsTlsCa);
            return context(pem.keyManagerFactory().getKeyManagers(), pem.trustManagerFactory());
        }
        return o.natsTlsCa == null ? null : context(null, trusting(o.natsTlsCa));
    }

    private static TrustManagerFactory trusting(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) throw new CertificateException("no certificate in the file");
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(trusted);
            return f;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidConfigException(
                    "--nats-tls-ca: no certificate could be read from " + caPem + ": " + e.getMessage(), e);
        }
    }

    private static SSLContext context(KeyManager[] keys, TrustManagerFactory trust) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(keys, trust.getTrustManagers(), null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM: " + e.getMessage(), e);
        }
    }
}
