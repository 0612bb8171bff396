package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.Await;
import dev.tether.testkit.process.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic membership from the command line, with real node processes on loopback TCP: {@code --seed},
 * {@code --allow-peer}, {@code --insecure-admit-unproven-peers}, and {@code tether peers} showing what each node
 * learnt.
 */
class MembershipProcessTest {
    @TempDir
    Path dir;

    private final List<ChildJvm> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(ChildJvm::close);
    }

    @Test
    void aNodeGivenOnlyASeedLearnsTheOtherMemberAndSendsToIt() throws IOException {
        Path key = dir.resolve("cluster.key");
        byte[] secret = new byte[32];
        new Random(13).nextBytes(secret);
        Files.write(key, secret);
        String[] ready = new String[1];
        node("seed-a", ready, "--id", "a", "--psk-file", key.toString(), "--admin", "127.0.0.1:0");
        String seed = "127.0.0.1:" + CliProcess.port(ready[0]);
        String adminA = CliProcess.admin(ready[0]);
        ChildJvm b = node("seed-b", ready, "--id", "b", "--psk-file", key.toString(), "--seed", seed, "--print");
        int portB = CliProcess.port(ready[0]);
        node("seed-c", ready, "--id", "c", "--psk-file", key.toString(), "--seed", seed, "--admin", "127.0.0.1:0");
        assertThat(ready[0]).contains(" peers=none seeds=" + seed);
        String adminC = CliProcess.admin(ready[0]);

        // c was given a's address only: a's member list names b, so c connects to b, and measures it.
        Pattern learnt = Pattern.compile("\\{\"id\":\"b\",\"origin\":\"DISCOVERED\",\"addresses\":\\[\"127\\.0\\.0\\.1:"
                + portB + "\"],\"connected\":true,\"lastSeen\":\"[0-9T:.Z-]+\",\"roundTripMs\":\\d+,"
                + "\"roundTripMicros\":\\d+,\"unacknowledged\":0,\"handlers\":\\[],\"channels\":\\[]}");
        String[] seen = {""};
        Await.until(
                CliProcess.TIMEOUT,
                () -> learnt.matcher(seen[0] = peers(adminC, "--json")).find(),
                () -> "c's peers: " + seen[0]);
        assertThat(seen[0]).startsWith("{\"node\":\"c\",\"peers\":[").contains("{\"id\":\"a\",\"origin\":\"");

        Path line = Files.writeString(dir.resolve("line.txt"), "hello from c\n");
        ChildJvm send = CliProcess.builder("seed-send", "send", "--admin", adminC, "--to", "b")
                .stdin(line)
                .start();
        assertThat(send.awaitExit(CliProcess.TIMEOUT))
                .as("send: %s", send.lines())
                .isZero();
        b.awaitLine(l -> l.equals("c default #1: hello from c"), CliProcess.TIMEOUT);

        // a learnt both from their connections (a pre-shared key proves membership); as an operator sees it:
        ChildJvm table = CliProcess.start("seed-peers", "peers", "--admin", adminA);
        assertThat(table.awaitExit(CliProcess.TIMEOUT)).isZero();
        assertThat(table.lines())
                .contains("node a: 2 peers")
                .anyMatch(l -> l.matches("  id\\s+origin\\s+connected\\s+last seen\\s+rtt\\s+unacked\\s+addresses"))
                .anyMatch(l -> l.matches("  b\\s+ADMITTED\\s+yes\\s+\\d+\\.\\d s ago\\s+.*"))
                .anyMatch(l -> l.matches("  c\\s+ADMITTED\\s+yes\\s+\\d+\\.\\d s ago\\s+.*"));
        for (ChildJvm n : nodes) assertThat(n.terminate(CliProcess.TIMEOUT)).isZero();
    }

    @Test
    void overPlainTcpOnlyTheInsecureFlagAdmitsUnprovenPeersAndTheAllowListStillApplies() {
        String[] ready = new String[1];
        ChildJvm a = node(
                "allow-a",
                ready,
                "--id",
                "a",
                "--allow-peer",
                "w-*",
                "--insecure-admit-unproven-peers",
                "--admin",
                "127.0.0.1:0");
        String seed = "127.0.0.1:" + CliProcess.port(ready[0]);
        String adminA = CliProcess.admin(ready[0]);
        // stderr is read apart from stdout, so the warning written before the ready line may be read after it.
        awaitPrinted(a, "WARN node a: --insecure-admit-unproven-peers");

        node("allow-w1", ready, "--id", "w-1", "--seed", seed, "--insecure-admit-unproven-peers");
        ChildJvm x = node("allow-x", ready, "--id", "x", "--seed", seed, "--insecure-admit-unproven-peers");
        ChildJvm w2 = node("allow-w2", ready, "--id", "w-2", "--seed", seed);

        awaitPrinted(
                x,
                "refused by the peer: x is not a configured or added peer of a and matches none of its allowedPeers"
                        + " [w-*]");
        // w-2 dialed the seed, but nothing proves the seed's id to it and it does not admit unproven peers.
        awaitPrinted(w2, "a is not a configured or added peer of w-2, and nothing proved its identity (plain TCP)");
        String[] seen = {""};
        Await.until(
                CliProcess.TIMEOUT,
                () -> (seen[0] = peers(adminA, "--json")).contains("{\"id\":\"w-1\",\"origin\":\"ADMITTED\""),
                () -> "a's peers: " + seen[0]);
        assertThat(seen[0])
                .doesNotContain("\"id\":\"x\"")
                .doesNotContainPattern("\"id\":\"w-2\"[^}]*\"connected\":true");
        awaitPrinted(a, "WARN node a: ConnectionRejected[remote=x");
        for (ChildJvm n : nodes) assertThat(n.terminate(CliProcess.TIMEOUT)).isZero();
    }

    @Test
    void seedsAreForTcpAndABadAllowListPatternIsAUsageError() throws IOException {
        ChildJvm nats = CliProcess.start(
                "seed-nats", "node", "--id", "a", "--nats", "nats://127.0.0.1:1", "--seed", "127.0.0.1:7001");
        assertThat(nats.awaitExit(CliProcess.TIMEOUT)).isEqualTo(ExitCode.USAGE);
        assertThat(String.join("\n", nats.lines()))
                .contains("--seed is for TCP; with --nats, nodes find each other through NATS announcements");

        Path store = Files.createDirectories(dir.resolve("bad-pattern"));
        ChildJvm bad = CliProcess.start(
                "bad-pattern", "node", "--id", "a", "--allow-peer", "w 1", "--store-dir", store.toString());
        assertThat(bad.awaitExit(CliProcess.TIMEOUT)).isEqualTo(ExitCode.USAGE);
        assertThat(String.join("\n", bad.lines())).contains("allowedPeers: invalid pattern");
        try (var files = Files.list(store)) {
            assertThat(files).as("a refused start leaves no store").isEmpty();
        }
    }

    /** Waits until {@code c} has printed a line containing {@code text}, whether or not it was awaited before. */
    private static void awaitPrinted(ChildJvm c, String text) {
        Await.until(
                CliProcess.TIMEOUT,
                () -> c.lines().stream().anyMatch(l -> l.contains(text)),
                () -> c + " printed no line with '" + text + "': " + c.lines());
    }

    private ChildJvm node(String name, String[] ready, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--store-dir", dir.toString()));
        ChildJvm n = CliProcess.node(name, ready, all.toArray(String[]::new));
        nodes.add(n);
        return n;
    }

    /** {@code tether peers} run in this JVM (the same code as the command; a process per poll would be slow). */
    private static String peers(String admin, String... flags) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("peers", "--admin", admin));
        args.addAll(List.of(flags));
        int code = Main.run(
                args.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (code != 0) return "exit " + code + ": " + err.toString(StandardCharsets.UTF_8);
        return out.toString(StandardCharsets.UTF_8);
    }
}
