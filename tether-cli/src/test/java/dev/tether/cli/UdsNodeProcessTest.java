package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.testkit.process.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether node --uds} as real processes: two nodes meet over Unix domain socket files and a message sent to one
 * is processed by the other; options that do not fit Unix domain sockets are refused with the reason.
 */
class UdsNodeProcessTest {
    @TempDir
    Path dir;

    @Test
    void twoNodesOverSocketFilesExchangeAMessage() {
        Path sa = dir.resolve("run/a.sock");
        Path sb = dir.resolve("run/b.sock");
        String[] ready = new String[1];
        ChildJvm b = udsNode("b", sb, "a=unix:" + sa, ready);
        ChildJvm a = null;
        try {
            a = udsNode("a", sa, "b=unix:" + sb, ready, "--admin", "127.0.0.1:0");
            assertThat(ready[0]).contains("transport=uds unix:" + sa);
            ChildJvm send = CliProcess.start(
                    "uds-send",
                    "send",
                    "--admin",
                    CliProcess.admin(ready[0]),
                    "--to",
                    "b",
                    "--wait",
                    "processed",
                    "hi");
            assertThat(send.awaitExit(CliProcess.TIMEOUT))
                    .as(String.join("\n", send.lines()))
                    .isZero();
            assertThat(send.lines()).anyMatch(l -> l.contains("b/default#1 processed"));
        } finally {
            if (a != null) a.close();
            b.close();
        }
    }

    /** {@code tether node --id ID --uds SOCKET --peer PEER} with this test's store directory and {@code more}. */
    private ChildJvm udsNode(String id, Path socket, String peer, String[] ready, String... more) {
        List<String> args = new ArrayList<>(
                List.of("--id", id, "--uds", socket.toString(), "--peer", peer, "--store-dir", dir.toString()));
        args.addAll(List.of(more));
        return CliProcess.node("uds-" + id, ready, args.toArray(String[]::new));
    }

    @Test
    void optionsThatDoNotFitUnixDomainSocketsAreRefusedWithTheReason() {
        String sock = dir.resolve("a.sock").toString();
        refused("uds-listen", "--listen, --seed and --advertise are for TCP", "--uds", sock, "--listen", "127.0.0.1:0");
        refused(
                "uds-tcp-peer",
                "is a TCP address; with --uds give peers as ID=unix:PATH",
                "--uds",
                sock,
                "--peer",
                "b=127.0.0.1:7001");
        refused("uds-peer-without", "Unix domain socket peers need --uds", "--peer", "b=unix:/run/b.sock");
        refused("uds-relative", "expected ID=unix:/absolute/path", "--uds", sock, "--peer", "b=unix:b.sock");
        refused("uds-allow-without", "--uds-allow-uid needs --uds", "--uds-allow-uid", "1000");
        refused("uds-long", "above the platform's limit of 106 bytes", "--uds", "/tmp/" + "x".repeat(120));
        refused("uds-nats", "--uds and --nats select two transports", "--uds", sock, "--nats", "nats://127.0.0.1:1");
    }

    private void refused(String name, String reason, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "node";
        all[1] = "--id";
        all[2] = "a";
        System.arraycopy(args, 0, all, 3, args.length);
        all[all.length - 1] = "--store-dir=" + dir;
        ChildJvm node = CliProcess.start(name, all);
        assertThat(node.awaitExit(CliProcess.TIMEOUT)).isEqualTo(ExitCode.USAGE);
        assertThat(String.join("\n", node.lines())).contains(reason).doesNotContain("ready node=");
    }
}
