package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.Await;
import dev.tether.testkit.net.TcpProxy;
import dev.tether.testkit.process.ChildJvm;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether node --transports tcp,nats} as real processes (docs/COMPOSITE.md): a node sends over TCP while it
 * works, over NATS while TCP is cut, and over TCP again once it is back; the receiver processes every message once, in
 * order. Which transport carried a message is read from the bytes through the proxy in front of the receiver's TCP
 * port: a 20 KB payload over TCP passes it, one over NATS does not.
 */
class CompositeNodeProcessTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern TCP = Pattern.compile("transport=composite tcp 127\\.0\\.0\\.1:(\\d+) > nats ");
    private static final String BIG = "x".repeat(20_000);

    @TempDir
    Path dir;

    @Test
    void aNodeOnTcpAndNatsSendsThroughNatsWhileTcpIsCutAndThroughTcpOnceItIsBack() throws Exception {
        try (NatsServerProcess nats = NatsServerProcess.start()) {
            String[] readyB = new String[1];
            try (ChildJvm b = node("b", nats, readyB, "--listen", "127.0.0.1:0", "--peer", "a", "--print");
                    TcpProxy proxy = TcpProxy.start(new InetSocketAddress("127.0.0.1", tcpPort(readyB[0])))) {
                String[] readyA = new String[1];
                String peerB = "b=127.0.0.1:" + proxy.address().getPort();
                try (ChildJvm a = node("a", nats, readyA, "--peer", peerB, "--admin", "127.0.0.1:0")) {
                    String admin = CliProcess.admin(readyA[0]);
                    assertThat(readyA[0]).contains("transport=composite tcp 127.0.0.1:", " > nats " + nats.url());

                    Await.until(DEADLINE, () -> sentOverTcp(proxy, admin), () -> "a message over TCP first");
                    proxy.pause();
                    proxy.cutAll();
                    long whileCut = proxy.bytesToTarget();
                    send(admin, "over nats " + BIG);
                    assertThat(proxy.bytesToTarget())
                            .as("nothing through TCP while cut")
                            .isEqualTo(whileCut);

                    proxy.resume();
                    Await.until(DEADLINE, () -> sentOverTcp(proxy, admin), () -> "a message over TCP again");
                    int sent = deliveries(b).size();
                    assertThat(sent).isGreaterThanOrEqualTo(3);
                    assertThat(deliveries(b))
                            .as("each message once, in order")
                            .isEqualTo(IntStream.rangeClosed(1, sent)
                                    .mapToObj(i -> "a default #" + i)
                                    .toList());
                    assertThat(a.isAlive()).isTrue();
                }
            }
        }
    }

    @Test
    void transportsThatAreNotListedOrListedWronglyAreRefusedWithTheReason() {
        refused("--transports: unknown transport 'quic'", "--transports", "tcp,quic");
        refused("--transports: tcp is listed twice", "--transports", "tcp,tcp");
        refused("--transports lists nats: give its servers with --nats URL", "--transports", "tcp,nats");
        refused("--transports lists uds: give its socket file with --uds PATH", "--transports", "uds,tcp");
        refused("--nats is given but --transports does not list nats", "--transports", "tcp", "--nats", "nats://x:1");
        refused(
                "is a TCP address, and --transports does not list tcp",
                "--transports",
                "nats",
                "--nats",
                "nats://127.0.0.1:1",
                "--peer",
                "b=127.0.0.1:7001");
        refused("--switch-back-after needs --transports", "--switch-back-after", "2s");
        String socket = dir.resolve("a.sock").toString();
        refused(
                "--seed cannot be used with --transports listing uds; give TCP peers as ID=HOST:PORT",
                "--transports",
                "tcp,uds",
                "--uds",
                socket,
                "--seed",
                "127.0.0.1:7001");
        refused(
                "--listen, --seed and --advertise are for TCP, which --transports does not list",
                "--transports",
                "uds",
                "--uds",
                socket,
                "--listen",
                "127.0.0.1:0");
        refused(
                "--transports: composite transport: switchBackAfter must be at most 365 days, got PT30000H",
                "--transports",
                "tcp,uds",
                "--uds",
                socket,
                "--switch-back-after",
                "30000h"); // 3000000000h is beyond any duration the CLI takes: NumericOptionsTest
    }

    /** Sends a 20 KB message and says whether it passed the proxy, that is, went over TCP. */
    private static boolean sentOverTcp(TcpProxy proxy, String admin) {
        long before = proxy.bytesToTarget();
        send(admin, "over tcp " + BIG);
        return proxy.bytesToTarget() - before >= BIG.length();
    }

    private static void send(String admin, String payload) {
        ChildJvm send = CliProcess.start(
                "composite-send", "send", "--admin", admin, "--to", "b", "--wait", "processed", payload);
        assertThat(send.awaitExit(CliProcess.TIMEOUT))
                .as(String.join("\n", send.lines()))
                .isZero();
    }

    /** The deliveries b printed, without their payloads. */
    private static List<String> deliveries(ChildJvm b) {
        return b.lines().stream()
                .filter(l -> l.startsWith("a default #"))
                .map(l -> l.substring(0, l.indexOf(':')))
                .toList();
    }

    private ChildJvm node(String id, NatsServerProcess nats, String[] ready, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--id",
                id,
                "--transports",
                "tcp,nats",
                "--nats",
                nats.url(),
                "--switch-back-after",
                "200ms",
                "--store-dir",
                Files.createDirectories(dir.resolve(id)).toString()));
        args.addAll(List.of(more));
        return CliProcess.node("composite-" + id, ready, args.toArray(String[]::new));
    }

    private static int tcpPort(String ready) {
        Matcher m = TCP.matcher(ready);
        if (!m.find()) throw new AssertionError("no composite TCP address in " + ready);
        return Integer.parseInt(m.group(1));
    }

    private void refused(String reason, String... args) {
        new InProcessCli().assertNodeRefuses(dir, reason, args);
    }
}
