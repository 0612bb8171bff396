package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.fixtures.NatsServerProcess;
import dev.tether.testkit.Await;
import dev.tether.testkit.process.ChildJvm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether chat} over NATS (a real nats-server), driven through its page's WebSocket by the JDK's client: a line
 * sent before, and lines sent while the server is down (stored at the publisher), all reach the other chat once, in
 * order, after the server is back.
 */
class ChatNatsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern MESSAGE =
            Pattern.compile("\"type\":\"message\".*\"from\":\"([^\"]*)\".*\"text\":\"([^\"]*)\"");

    @TempDir
    Path dir;

    private final List<ChildJvm> processes = new ArrayList<>();
    private final List<Page> pages = new ArrayList<>();
    private NatsServerProcess nats;

    @AfterEach
    void stop() {
        pages.forEach(Page::close);
        processes.forEach(ChildJvm::close);
        if (nats != null) nats.close();
    }

    @Test
    void linesSentDuringAServerOutageReachTheOtherChatOnceInOrder() throws Exception {
        nats = NatsServerProcess.start();
        Page alice = page(chat("alice", "bob"));
        Page bob = page(chat("bob", "alice"));
        Await.until(DEADLINE, () -> alice.joined() && bob.joined(), () -> "both joined: " + alice.seen + bob.seen);

        alice.type("before the outage");
        Await.until(DEADLINE, () -> bob.messages().contains("alice: before the outage"), () -> "bob: " + bob.seen);

        nats.kill();
        alice.type("during the outage 1");
        alice.type("during the outage 2");
        Await.until(
                DEADLINE,
                () -> alice.messages().contains("alice: during the outage 2"),
                () -> "stored at alice: " + alice.seen);
        nats.restart();

        List<String> expected =
                List.of("alice: before the outage", "alice: during the outage 1", "alice: during the outage 2");
        Await.until(
                DEADLINE, () -> bob.messages().size() >= expected.size(), () -> "bob after the outage: " + bob.seen);
        assertThat(bob.messages()).containsExactlyElementsOf(expected);
    }

    private int chat(String id, String peer) {
        int web = CliProcess.freePort();
        ChildJvm c = CliProcess.start(
                "chat-nats-" + id,
                "chat",
                "--id",
                id,
                "--nats",
                nats.url(),
                "--peer",
                peer,
                "--store-dir",
                dir.toString(),
                "--web",
                "127.0.0.1:" + web);
        processes.add(c);
        c.awaitLine(l -> l.startsWith("ready node=" + id), CliProcess.TIMEOUT);
        return web;
    }

    private Page page(int web) throws Exception {
        Page p = new Page();
        p.socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + web + "/ws"), p)
                .get(30, TimeUnit.SECONDS);
        pages.add(p);
        return p;
    }

    /** What a chat page receives, through the JDK's WebSocket client. */
    private static final class Page implements WebSocket.Listener {
        final List<String> seen = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                seen.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        void type(String line) throws Exception {
            socket.sendText(line, true).get(30, TimeUnit.SECONDS);
        }

        boolean joined() {
            return seen.stream()
                    .anyMatch(m -> m.contains("{\"name\":\"general\",\"role\":\"READ_WRITE\",\"joined\":true}"));
        }

        List<String> messages() {
            List<String> l = new ArrayList<>();
            for (String m : seen) {
                Matcher x = MESSAGE.matcher(m);
                if (x.find()) l.add(x.group(1) + ": " + x.group(2));
            }
            return l;
        }

        void close() {
            socket.abort();
        }
    }
}
