package dev.tether.systest;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.tether.fixtures.KeytoolPki;
import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 4 the way an operator deploys it: {@code tether nats-config} prints the authorization block and
 * writes the nodes' seed files, a nats-server runs with that block and TLS (a CA made by keytool), and {@code tether
 * node --nats tls://... --nats-nkey ... --nats-identity-enforced --nats-tls-ca ...} processes exchange messages. A
 * process that claims to be b with mallory's key is refused by the server and says so on stderr; the real b still
 * gets a's message.
 */
class NatsIdentityCliTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String PREFIX = "deploy";

    private Path dir;

    @BeforeEach
    void cleanDirectory() throws IOException {
        dir = Path.of("target", "system-tests", "nats-identity").toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Files.createDirectories(dir);
    }

    @Test
    void generatedAuthorizationOverTlsLetsNodesTalkAndRefusesAnImpostor() {
        Path keys = dir.resolve("keys");
        Cli.Result config = Cli.run(
                dir,
                "cli-nats-config",
                "nats-config",
                "--nats-prefix",
                PREFIX,
                "--keys-dir",
                keys.toString(),
                "a",
                "b",
                "mallory");
        assertThat(config.status()).as(config.output()).isZero();
        String block =
                config.lines().stream().filter(l -> !l.startsWith("[err] ")).collect(Collectors.joining("\n"));
        KeytoolPki pki = new KeytoolPki(dir);
        String admin = "127.0.0.1:" + Ports.free();
        try (NatsServerProcess nats = NatsServerProcess.builder()
                        .tls(pki.serverChain(), pki.serverKey())
                        .config(block)
                        .start();
                ChildJvm a = Cli.node(dir, "cli-nats-a", args("a", "a", "b", nats, pki, "--admin", admin));
                ChildJvm b = Cli.node(dir, "cli-nats-b", args("b", "b", "a", nats, pki, "--print"))) {
            assertThat(a.lines().stream().filter(l -> l.startsWith("ready node=")))
                    .singleElement(as(STRING))
                    .contains("transport=nats " + nats.url(), "tls nkey identity-enforced");

            try (ChildJvm impostor = Cli.node(dir, "cli-nats-impostor", args("b", "mallory", "a", nats, pki))) {
                String line = impostor.awaitLine(
                        l -> l.contains("ConnectionRejected") && l.contains("publishing on " + PREFIX + ".presence.b"),
                        TIMEOUT);
                System.out.println("nats identity: impostor refused by the server: " + line);
                assertThat(line)
                        .startsWith("[err] ")
                        .contains("the NATS server refused node b publishing on deploy.presence.b");
                assertThat(impostor.isAlive()).isTrue();
            }
            assertThat(Files.exists(nats.logFile())).isTrue();

            Cli.Result sent = Cli.run(
                    dir, "cli-nats-send", "send", "--admin", admin, "--to", "b", "--wait", "processed", "hello b");
            assertThat(sent.status()).as(sent.output()).isZero();
            b.awaitLine(l -> l.contains("hello b"), TIMEOUT);
            assertThat(a.lines()).noneMatch(l -> l.contains("ConnectionRejected"));
            assertThat(b.lines()).noneMatch(l -> l.contains("ConnectionRejected"));
        }
    }

    /** Node arguments: {@code id} with {@code key}'s seed file over TLS to {@code nats}, peer {@code peer}. */
    private List<String> args(
            String id, String key, String peer, NatsServerProcess nats, KeytoolPki pki, String... more) {
        Path store = dir.resolve("store-" + key);
        try {
            Files.createDirectories(store);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> args = new ArrayList<>(List.of(
                "--id",
                id,
                "--peer",
                peer,
                "--store-dir",
                store.toString(),
                "--nats",
                nats.url(),
                "--nats-prefix",
                PREFIX,
                "--nats-nkey",
                dir.resolve("keys").resolve(key + ".nk").toString(),
                "--nats-identity-enforced",
                "--nats-tls-ca",
                pki.caCertificate().toString()));
        args.addAll(List.of(more));
        return args;
    }
}
