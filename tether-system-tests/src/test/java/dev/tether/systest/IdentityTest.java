package dev.tether.systest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import dev.tether.transport.tcp.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Item 5: node identity with the real CLI over mutual TLS, certificates made at test time. Node a ({@code tether
 * node --tls-cert/--tls-key/--tls-ca}) accepts peer b. A process presenting a certificate from an untrusted CA,
 * and one whose (trusted) certificate proves "c" but that claims to be "b", are refused: a's log names the
 * refusal as a {@code ConnectionRejected} event with its reason, and {@code tether stats --json} counts it in
 * {@code connectionsRejected}. The real b still works: {@code tether send --wait processed} reaches it.
 */
class IdentityTest {
    private static final Pattern REJECTED = Pattern.compile("\"connectionsRejected\"\\s*:\\s*(\\d+)");
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private Path dir;
    private TestPki good;
    private TestPki rogue;

    @BeforeEach
    void pki() throws IOException {
        dir = Path.of("target", "system-tests", "identity").toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Files.createDirectories(dir);
        good = new TestPki(dir, "good");
        rogue = new TestPki(dir, "rogue");
    }

    @Test
    void untrustedCertificateAndUnprovenIdAreRefusedAndReportedWhileTheRealPeerWorks() {
        int portA = Ports.free();
        String admin = "127.0.0.1:" + Ports.free();
        try (ChildJvm a = Cli.node(
                dir,
                "cli-a",
                tls("a", good.issue("a", "a"), "--listen", "127.0.0.1:" + portA, "--peer", "b", "--admin", admin))) {
            // (a) a certificate from a CA a does not trust (the impostor trusts a's CA: only a's check can fail)
            TestPki.Issued rogueB = rogue.issue("b", "b");
            try (ChildJvm untrusted = Cli.node(
                    dir,
                    "cli-untrusted-b",
                    tls(
                            "untrusted-b",
                            rogueB.certificate(),
                            rogueB.privateKey(),
                            good.caCertificate(),
                            "--peer",
                            "a=127.0.0.1:" + portA))) {
                String line = awaitCertificateRefusal(a);
                System.out.println("identity: untrusted CA refused: " + line);
                assertThat(line).as("on stderr").startsWith("[err] ");
                assertThat(line).contains("TLS").containsIgnoringCase("certificate");
                assertThat(untrusted.isAlive()).isTrue();
            }
            long afterUntrusted = rejectedCount(admin);
            assertThat(afterUntrusted).isPositive();

            // (b) a trusted certificate proving "c", used by a process that says it is "b"
            try (ChildJvm impostor = Cli.node(
                    dir,
                    "cli-impostor-b",
                    tls("impostor-b", good.issue("c", "c"), "--id", "b", "--peer", "a=127.0.0.1:" + portA))) {
                String line = a.awaitLine(l -> l.contains("ConnectionRejected") && l.contains("claims id b"), TIMEOUT);
                System.out.println("identity: unproven id refused: " + line);
                assertThat(line).as("on stderr").startsWith("[err] ");
                assertThat(impostor.isAlive()).isTrue();
            }
            assertThat(rejectedCount(admin)).isGreaterThan(afterUntrusted);

            // the real b still gets a's message
            try (ChildJvm b = Cli.node(
                    dir, "cli-b", withPrint(tls("b", good.issue("b", "b"), "--peer", "a=127.0.0.1:" + portA)))) {
                Cli.Result sent = Cli.run(
                        dir,
                        "cli-send",
                        "send",
                        "--admin",
                        admin,
                        "--to",
                        "b",
                        "--wait",
                        "processed",
                        "hello b, from a");
                assertThat(sent.status()).as(sent.output()).isZero();
                b.awaitLine(l -> l.contains("hello b, from a"), TIMEOUT);
            }
        }
    }

    /** Node arguments: id (unless given in {@code more}), its own store directory, TLS files, then {@code more}. */
    private List<String> tls(String name, TestPki.Issued issued, String... more) {
        return tls(name, issued.certificate(), issued.privateKey(), issued.caCertificate(), more);
    }

    private List<String> tls(String name, Path certificate, Path key, Path ca, String... more) {
        List<String> args = new ArrayList<>();
        if (!List.of(more).contains("--id")) args.addAll(List.of("--id", name));
        args.addAll(List.of(
                "--store-dir", dir.resolve("store-" + name).toString(),
                "--tls-cert", certificate.toString(),
                "--tls-key", key.toString(),
                "--tls-ca", ca.toString()));
        if (!List.of(more).contains("--listen")) args.addAll(List.of("--listen", "127.0.0.1:0"));
        args.addAll(List.of(more));
        try {
            Files.createDirectories(dir.resolve("store-" + name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return args;
    }

    private static List<String> withPrint(List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.add("--print");
        return all;
    }

    private long rejectedCount(String admin) {
        Cli.Result stats = Cli.run(dir, "cli-stats", "stats", "--admin", admin, "--json");
        assertThat(stats.status()).as(stats.output()).isZero();
        Matcher m = REJECTED.matcher(stats.output());
        assertThat(m.find()).as("connectionsRejected in %s", stats.output()).isTrue();
        return Long.parseLong(m.group(1));
    }

    /**
     * Under heavy load an attempt can first be refused for a handshake timeout (a's 10 s limit, a correct refusal
     * too); the intruder dials again, and that handshake must fail on the certificate.
     */
    private static String awaitCertificateRefusal(ChildJvm node) {
        return node.awaitLine(
                l -> l.contains("ConnectionRejected")
                        && l.toLowerCase(Locale.ROOT).contains("certificate"),
                TIMEOUT);
    }
}
