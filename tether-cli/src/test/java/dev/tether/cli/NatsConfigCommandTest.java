package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.fixtures.NatsServerProcess;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether nats-config} and the node's {@code --nats-*} credential flags, in process: the block is accepted by
 * a real nats-server, keys are kept across runs, and every bad flag is a usage error (exit 2) naming it.
 */
class NatsConfigCommandTest {
    private static final Pattern NKEY = Pattern.compile("nkey: (U[A-Z0-9]+)");

    @TempDir
    Path dir;

    private final InProcessCli cli = new InProcessCli();

    private int run(String... args) {
        return cli.run(args);
    }

    private String out() {
        return cli.out();
    }

    private String err() {
        return cli.err();
    }

    @Test
    void printsABlockARealServerAcceptsWritesOwnerOnlyKeysAndKeepsThemOnTheNextRun() throws Exception {
        Path keys = dir.resolve("keys");
        assertThat(run("nats-config", "--keys-dir", keys.toString(), "--nats-prefix", "prod", "a", "b.1"))
                .as(err())
                .isZero();
        String first = out();
        assertThat(first)
                .startsWith("# nats-server authorization for the Tether nodes a, b.1 on prefix 'prod'")
                .contains("--nats-nkey " + keys.resolve("ID.nk") + " --nats-identity-enforced")
                .contains("publish: { allow: [\"prod.presence.b_d1\", \"prod.to.*.b_d1\"] }")
                .contains("subscribe: { allow: [\"prod.presence.*\", \"prod.to.a.*\"] }");
        assertThat(err()).contains("wrote " + keys.resolve("a.nk"), "wrote " + keys.resolve("b.1.nk"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("a.nk"))))
                .isEqualTo("rw-------");
        List<String> keysBefore = publicKeys(first);
        assertThat(keysBefore).hasSize(2).doesNotHaveDuplicates();

        assertThat(run("nats-config", "--keys-dir", keys.toString(), "--nats-prefix", "prod", "a,b.1", "c"))
                .isZero();
        assertThat(err()).contains("kept " + keys.resolve("a.nk"), "wrote " + keys.resolve("c.nk"));
        assertThat(publicKeys(out())).hasSize(3).startsWith(keysBefore.toArray(String[]::new));

        try (NatsServerProcess server =
                NatsServerProcess.builder().config(out()).start()) {
            Connection a = Nats.connect(Options.builder()
                    .server(server.url())
                    .authHandler(Nats.staticCredentials(null, seed(keys.resolve("a.nk"))))
                    .build());
            try {
                List<String> errors = new ArrayList<>();
                a.publish("prod.presence.a", new byte[1]);
                a.flush(Duration.ofSeconds(10));
                assertThat(a.getLastError()).as("a publishes under its own id").isNull();
                a.publish("prod.presence.c", new byte[1]);
                a.flush(Duration.ofSeconds(10));
                errors.add(a.getLastError());
                assertThat(errors).containsExactly("Permissions Violation for Publish to \"prod.presence.c\"");
            } finally {
                a.close();
            }
        }
    }

    @Test
    void badArgumentsAreUsageErrors() throws Exception {
        Path keys = dir.resolve("keys");
        assertThat(run("nats-config", "--keys-dir", keys.toString(), "a", "a")).isEqualTo(2);
        assertThat(err()).contains("node a is listed twice");
        assertThat(run("nats-config", "--keys-dir", keys.toString(), "bad id")).isEqualTo(2);
        assertThat(err()).contains("ID:");
        assertThat(run("nats-config", "--keys-dir", keys.toString(), "--nats-prefix", "a.*", "a"))
                .isEqualTo(2);
        assertThat(err()).contains("--nats-prefix: invalid subject prefix 'a.*'");
        assertThat(run("nats-config", "--keys-dir", keys.toString(), "--nats-prefix", "prod.to", "a"))
                .isEqualTo(2);
        assertThat(err()).contains("--nats-prefix: subject prefix 'prod.to'", "must not nest");
        assertThat(run("nats-config", "a")).isEqualTo(2);
        assertThat(err()).contains("--keys-dir");
        Files.createDirectories(keys);
        Files.writeString(keys.resolve("x.nk"), "not a seed\n");
        assertThat(run("nats-config", "--keys-dir", keys.toString(), "x")).isEqualTo(2);
        assertThat(err()).contains(keys.resolve("x.nk") + " does not hold a user seed");
    }

    @Test
    void nodeNatsCredentialFlagsAreCheckedBeforeAnythingStarts() throws Exception {
        Path seed = dir.resolve("keys").resolve("a.nk");
        assertThat(run("nats-config", "--keys-dir", seed.getParent().toString(), "a"))
                .isZero();
        String[] node = {"node", "--id", "a", "--peer", "b", "--store-dir", dir.toString()};

        assertUsageError(join(node, "--nats-nkey", seed.toString()), "--nats-nkey: needs --nats URL");
        assertUsageError(
                join(node, "--nats", "nats://127.0.0.1:1", "--nats-identity-enforced"),
                "identityEnforced needs per-node credentials (nkey, userInfo or credentials): none are set");
        assertUsageError(
                join(node, "--nats", "nats://127.0.0.1:1", "--nats-nkey", seed.toString(), "--nats-token", "t"),
                "choose one NATS authentication, not token and nkey");
        assertUsageError(
                join(
                        node,
                        "--nats",
                        "nats://127.0.0.1:1",
                        "--nats-nkey",
                        dir.resolve("none.nk").toString()),
                "nkey seed file " + dir.resolve("none.nk") + " does not exist");
        assertUsageError(
                join(node, "--nats", "nats://127.0.0.1:1", "--nats-tls-cert", seed.toString()),
                "needs all of --nats-tls-cert, --nats-tls-key and --nats-tls-ca");
        assertUsageError(
                join(node, "--nats", "nats://127.0.0.1:1", "--nats-tls-ca", seed.toString()),
                "--nats-tls-ca: no certificate could be read from " + seed);
        assertUsageError(
                join(node, "--nats", "nats://127.0.0.1:1", "--tls-ca", seed.toString()),
                "--tls-* and --psk-file are for TCP; for TLS to NATS use --nats-tls-ca");
        assertUsageError(
                join(node, "--nats", "nats://127.0.0.1:1", "--nats-password", "p"),
                "--nats-password needs --nats-user");
        Path conf = dir.resolve("node.properties");
        Files.writeString(conf, "nats=nats://127.0.0.1:1\nnats-identity-enforced=true\n");
        assertUsageError(
                join(node, "--config", conf.toString()),
                "identityEnforced needs per-node credentials (nkey, userInfo or credentials): none are set");
        assertThat(Files.exists(dir.resolve("tether-a.db")))
                .as("no store was opened")
                .isFalse();
    }

    private void assertUsageError(String[] args, String message) {
        assertThat(run(args)).as(String.join(" ", args) + "\n" + err()).isEqualTo(2);
        assertThat(err()).contains(message);
    }

    private static String[] join(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    /** The seed line of a seed file (the others are comments). */
    private static char[] seed(Path file) throws java.io.IOException {
        return Files.readAllLines(file).stream()
                .filter(l -> l.startsWith("SU"))
                .findFirst()
                .orElseThrow()
                .toCharArray();
    }

    private static List<String> publicKeys(String block) {
        List<String> keys = new ArrayList<>();
        Matcher m = NKEY.matcher(block);
        while (m.find()) keys.add(m.group(1));
        return keys;
    }
}
