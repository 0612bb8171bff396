package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.TetherNode;
import dev.tether.node.Tether;
import dev.tether.testkit.Await;
import dev.tether.transport.memory.InMemoryNetwork;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page that connects while lines are being added gets them in the transcript's order: the history first, then what
 * was added meanwhile, never a new line in the middle of the history (which put a publisher's later message before
 * its earlier ones on a page that reconnected while its restarted node was receiving what it had missed).
 */
class ChatWebOrderTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int HISTORY = ChatTranscript.RECENT;
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    @TempDir
    Path dir;

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    @Test
    void aLineAddedWhileAPageReceivesTheHistoryComesAfterTheHistory() throws Exception {
        ChatTranscript transcript = ChatTranscript.open(dir.resolve("alice.chat"), false);
        open.add(transcript);
        ChatRoom room = new ChatRoom(transcript, "general", Clock.systemUTC());
        TetherNode alice = Tether.start(MemoryNodes.builder(network, "alice", "bob")
                .handler((dev.tether.Delivery d) -> {})
                .build());
        open.add(alice::close);
        room.attach(alice);
        String text = "x".repeat(4096); // a history larger than the socket buffers: the page's thread blocks in it
        for (int seq = 1; seq <= HISTORY; seq++) room.add(new ChatLine("general", "bob", seq, 0, text));
        ChatWeb web = ChatWeb.start(new InetSocketAddress("127.0.0.1", 0), room);
        open.add(web);

        try (Socket page = new Socket()) {
            page.setReceiveBufferSize(4096);
            page.connect(web.address());
            DataInputStream in = upgrade(page, web.address().getPort());
            List<Long> seqs = new ArrayList<>();
            while (seqs.isEmpty()) seq(readText(in)).ifPresent(seqs::add); // the history was taken: it is being sent
            Thread late = new Thread(() -> room.add(new ChatLine("general", "bob", HISTORY + 1, 0, "late")), "late");
            late.start();
            // the line was sent, is being sent, or waits for the connection's thread (which the page does not read)
            Await.until(DEADLINE, () -> waiting(late) || connectionBlocked(), () -> "the late line on its way");
            while (seqs.size() < HISTORY + 1) seq(readText(in)).ifPresent(seqs::add);
            late.join(DEADLINE.toMillis());
            List<Long> expected = new ArrayList<>();
            for (long s = 1; s <= HISTORY + 1; s++) expected.add(s);
            assertThat(seqs).as("bob's lines once each, in his order").containsExactlyElementsOf(expected);
        }
    }

    private static boolean waiting(Thread t) {
        return t.getState() == Thread.State.BLOCKED || t.getState() == Thread.State.TERMINATED;
    }

    private static boolean connectionBlocked() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("tether-chat-conn") && t.getState() == Thread.State.BLOCKED);
    }

    private static java.util.Optional<Long> seq(String json) {
        if (!json.contains("\"type\":\"message\"")) return java.util.Optional.empty();
        Matcher m = SEQ.matcher(json);
        return m.find() ? java.util.Optional.of(Long.parseLong(m.group(1))) : java.util.Optional.empty();
    }

    private static DataInputStream upgrade(Socket page, int port) throws IOException {
        String host = "127.0.0.1:" + port;
        page.getOutputStream()
                .write(("GET /ws HTTP/1.1\r\nHost: " + host + "\r\nOrigin: http://" + host + "\r\n"
                                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                                + "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        DataInputStream in = new DataInputStream(page.getInputStream());
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.readUnsignedByte());
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        return in;
    }

    /** One unmasked, unfragmented frame from the server, as text. */
    private static String readText(DataInputStream in) throws IOException {
        int opcode = in.readUnsignedByte() & 0x0f;
        long n = in.readUnsignedByte() & 0x7f;
        if (n == 126) n = in.readUnsignedShort();
        else if (n == 127) n = in.readLong();
        byte[] payload = new byte[Math.toIntExact(n)];
        in.readFully(payload);
        assertThat(opcode)
                .as("a text frame: %s", Arrays.toString(Arrays.copyOf(payload, 16)))
                .isEqualTo(1);
        return new String(payload, StandardCharsets.UTF_8);
    }
}
