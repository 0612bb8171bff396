package dev.tether.transport.nats;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway PKI made at test time with the JDK's {@code keytool} (nothing is committed): a CA, and a server
 * certificate for {@code 127.0.0.1} and {@code localhost} signed by it (EC P-256), written as PEM files a
 * nats-server reads: {@link #serverChain()} (leaf, then CA) and {@link #serverKey()} (unencrypted PKCS#8), plus the
 * CA certificate {@link #caCertificate()} clients trust ({@link #clientContext()}).
 */
final class KeytoolPki {
    private static final String PASSWORD = "changeit";

    private final Path dir;

    /** Generates the CA and the server certificate into {@code dir}. */
    KeytoolPki(Path dir) {
        this.dir = dir;
        String ec = " -keyalg EC -groupname secp256r1 -validity 2";
        keytool("-genkeypair -alias ca -dname CN=tether-test-CA -ext bc:c -keystore ca.p12" + ec);
        keytool("-genkeypair -alias server -dname CN=localhost -keystore server.p12" + ec);
        keytool("-certreq -alias server -file server.csr -keystore server.p12");
        keytool("-gencert -alias ca -infile server.csr -outfile server.crt -rfc -validity 2 -keystore ca.p12"
                + " -ext san=ip:127.0.0.1,dns:localhost -ext eku=serverAuth");
        try {
            writeCaCertificate();
            Files.writeString(
                    serverChain(),
                    Files.readString(dir.resolve("server.crt")) + Files.readString(caCertificate()),
                    StandardCharsets.US_ASCII);
            writeServerKey();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    Path serverChain() {
        return dir.resolve("server-chain.crt");
    }

    Path serverKey() {
        return dir.resolve("server.key");
    }

    /** A client TLS context trusting only this CA. */
    SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(caCertificate())) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trusted.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void writeCaCertificate() throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve("ca.p12"))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            writePem(caCertificate(), "CERTIFICATE", ks.getCertificate("ca").getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writePem(Path file, String type, byte[] der) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        Files.writeString(
                file,
                "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
                StandardCharsets.US_ASCII);
    }

    private void writeServerKey() throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            Key key = ks.getKey("server", PASSWORD.toCharArray());
            writePem(serverKey(), "PRIVATE KEY", key.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs keytool with {@code arguments} (separated by single spaces) on PKCS12 stores in {@code dir}. */
    private void keytool(String arguments) {
        String[] args = arguments.split(" ");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // a short-lived JVM: skip the optimizing compiler, start in a fraction of the time
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
        try {
            Process p = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
