package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin endpoint's bounds, met by raw sockets that misbehave the way a careless or hostile local client would:
 * bodies too large, requests that stall, more connections than it serves, a client that stops reading. Each time
 * a legitimate request must still get through, and the endpoint must not buffer what it does not need.
 */
class AdminLimitsTest {
    private static final int MAX_MESSAGE = 1 << 20;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final AtomicLong deliveredToB = new AtomicLong();
    private final TetherNode a = node("a", "b");
    private final TetherNode b = node("b", "a");
    private final List<Socket> sockets = new ArrayList<>();
    private AdminServer admin;

    private TetherNode node(String id, String peer) {
        return Tether.start(MemoryNodes.builder(network, id, peer)
                .maxMessageBytes(MAX_MESSAGE)
                .handler(d -> deliveredToB.incrementAndGet())
                .build());
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) s.close();
        if (admin != null) admin.close();
        a.close();
        b.close();
    }

    private void serve(AdminServer.Limits limits) throws IOException {
        admin = AdminServer.bind(InetSocketAddress.createUnresolved("127.0.0.1", 0), limits);
        admin.start(a, MAX_MESSAGE);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", admin.address().getPort());
        s.setSoTimeout((int) DEADLINE.toMillis());
        sockets.add(s);
        return s;
    }

    private static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** Everything the server answers until it closes the connection. */
    private static String answer(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** A request announcing a body of {@code length} bytes, of which only {@code sent} arrive. */
    private Socket stalledSend(long length, int sent) throws IOException {
        Socket s = connect();
        write(
                s,
                "POST /send?to=b HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length + "\r\n\r\n"
                        + "x".repeat(sent));
        return s;
    }

    /** {@code tether send} as a user runs it, in this process; returns its exit code. */
    private int cliSend(String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return Main.run(
                new String[] {"send", "--admin", HostPort.format(admin.address()), "--to", "b", message},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void aBodyLargerThanMaxMessageBytesIsRefusedFromItsContentLengthWithoutReadingIt() throws IOException {
        serve(AdminServer.Limits.DEFAULT);
        // 60 MiB announced, nothing sent: an endpoint that read the body first would never answer.
        String answer = answer(stalledSend(60L << 20, 0));
        assertThat(answer)
                .startsWith("HTTP/1.1 413 ")
                .contains("body of 62914560 bytes exceeds this node's maxMessageBytes (1048576)");

        Socket expecting = connect();
        write(expecting, "POST /send?to=b HTTP/1.1\r\nContent-Length: 62914560\r\nExpect: 100-continue\r\n\r\n");
        assertThat(answer(expecting))
                .as("no 100 Continue for a body that will be refused")
                .startsWith("HTTP/1.1 413 ");
        assertThat(deliveredToB).hasValue(0);
    }

    @Test
    void aChunkedBodyIsCutOffAtTheLimitAndAStreamRefusesOnlyItsTooLongLines() throws IOException {
        serve(AdminServer.Limits.DEFAULT);
        Socket s = connect();
        write(s, "POST /send?to=b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        OutputStream body = new HttpBody.ChunkedOut(s.getOutputStream());
        byte[] chunk = new byte[64 << 10];
        try {
            for (int i = 0; i < 64; i++) body.write(chunk); // 4 MiB: the endpoint stops reading after 1 MiB
        } catch (IOException closedByTheEndpoint) {
            // expected once the endpoint has answered and stopped reading
        }
        assertThat(answer(s)).startsWith("HTTP/1.1 413 ").contains("more than 1048576 bytes");

        Socket stream = connect();
        write(stream, "POST /send?to=b&stream=lines HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        HttpBody.ChunkedOut lines = new HttpBody.ChunkedOut(stream.getOutputStream());
        lines.write("first\n".getBytes(StandardCharsets.US_ASCII));
        lines.write(new byte[MAX_MESSAGE + 1]);
        lines.write("\nthird\n".getBytes(StandardCharsets.US_ASCII));
        lines.finish();
        String answer = answer(stream);
        assertThat(answer).startsWith("HTTP/1.1 200 ").contains("Transfer-Encoding: chunked");
        assertThat(chunkedBody(answer))
                .isEqualTo("ok b/default#1 ACCEPTED\n"
                        + "refused line of 1048577 bytes exceeds this node's maxMessageBytes (1048576)\n"
                        + "ok b/default#2 ACCEPTED\n"
                        + "end 3\n");
    }

    @Test
    void stalledRequestsDoNotDelayALegitimateSend() throws IOException {
        serve(new AdminServer.Limits(32, DEADLINE, DEADLINE, DEADLINE));
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 8; i++) stalled.add(stalledSend(100, 5));

        assertThat(cliSend("still served")).isZero();
        Await.until(DEADLINE, () -> deliveredToB.get() == 1, () -> "delivery");
        for (Socket s : stalled) {
            assertThat(s.getInputStream().available())
                    .as("still waiting for their bodies")
                    .isZero();
        }
    }

    @Test
    void aStalledRequestIsAnswered408AfterTheRequestTimeout() throws IOException {
        serve(new AdminServer.Limits(4, Duration.ofMillis(500), DEADLINE, DEADLINE));
        assertThat(answer(stalledSend(100, 5)))
                .startsWith("HTTP/1.1 408 ")
                .contains("did not arrive within 500 ms; nothing was sent");
        Socket slowHead = connect();
        write(slowHead, "POST /send?to=b HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // the head never ends
        assertThat(answer(slowHead)).startsWith("HTTP/1.1 408 ");
        assertThat(deliveredToB).hasValue(0);
    }

    @Test
    void beyondTheConnectionLimitANewConnectionIsRefusedAtOnceAndServedOnceSlotsFree() throws IOException {
        serve(new AdminServer.Limits(2, Duration.ofSeconds(3), DEADLINE, DEADLINE));
        stalledSend(100, 5);
        stalledSend(100, 5);
        Socket third = connect();
        third.setSoTimeout(2_000); // well before the stalled ones time out
        write(third, "GET /health HTTP/1.1\r\n\r\n");
        assertThat(answer(third)).startsWith("HTTP/1.1 503 ").contains("busy: 2 connections are open");

        awaitHealthy("a free slot");
        assertThat(cliSend("after the stall")).isZero();
    }

    @Test
    void aClientThatStopsReadingItsAnswersIsDisconnectedAndFreesItsSlot() throws Exception {
        serve(new AdminServer.Limits(1, DEADLINE, DEADLINE, Duration.ofMillis(500)));
        Socket greedy = connect();
        // Messages to a peer the node does not know are refused at once, each with a line of explanation: the
        // answers (about 100 MB) outgrow the socket buffers within a fraction of a second.
        write(greedy, "POST /send?to=zed&stream=lines HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        Thread writer = new Thread(() -> {
            try {
                HttpBody.ChunkedOut lines = new HttpBody.ChunkedOut(greedy.getOutputStream());
                byte[] many = "m\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 200; i++) lines.write(many); // 2 million messages, never reading an answer
                lines.finish();
            } catch (IOException e) {
                // the endpoint closed the connection: expected
            }
        });
        writer.setDaemon(true);
        writer.start();

        awaitHealthy("the slot freed");
        assertThat(cliSend("served after the greedy client")).isZero();
        writer.join(DEADLINE.toMillis());
        assertThat(writer.isAlive())
                .as("the greedy client's connection was closed")
                .isFalse();
    }

    private static String chunkedBody(String answer) throws IOException {
        byte[] rest = answer.substring(answer.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.UTF_8);
        InputStream body = new HttpBody.Chunked(new java.io.ByteArrayInputStream(rest));
        return new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Polls {@code GET /health} (at most every 50 ms: each poll is a connection) until it answers 200. */
    private void awaitHealthy(String what) {
        String[] last = {"(not asked yet)"};
        long[] askedAt = {0};
        Await.until(
                DEADLINE,
                () -> {
                    if (System.nanoTime() - askedAt[0] < 50_000_000) return false;
                    askedAt[0] = System.nanoTime();
                    last[0] = health();
                    return last[0].startsWith("HTTP/1.1 200 ");
                },
                () -> what + "; the last answer to GET /health: " + last[0]);
    }

    private String health() {
        try (Socket s = new Socket("127.0.0.1", admin.address().getPort())) {
            s.setSoTimeout(5_000);
            write(s, "GET /health HTTP/1.1\r\n\r\n");
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
