package dev.tether.cli;

import dev.tether.Delivery;
import dev.tether.Durability;
import dev.tether.TetherNode;
import dev.tether.node.TetherConfig;
import dev.tether.store.sqlite.SqliteStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tether chat}: a node that chats on a channel. Lines typed are published, others' messages are printed with
 * their time, channel and sender; the conversation is kept in a transcript beside the store, each message once. With
 * {@code --web} the same room is served as a page. Runs until {@code /quit}, the end of input (unless a page is
 * served), SIGTERM or SIGINT.
 */
@Command(
        name = "chat",
        mixinStandardHelpOptions = true,
        description = {
            "Chats on a channel: lines typed are published, messages from others printed with time and sender.",
            "Messages sent while a member is away reach it when it returns, in order. /help lists the commands."
        })
final class ChatCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--channel", paramLabel = "NAME", description = "The channel to join first (default: general).")
    String channel = "general";

    @Option(
            names = "--web",
            paramLabel = "HOST:PORT",
            converter = HostPort.class,
            description = "Also serve the chat page on http://HOST:PORT/ (loopback only; port 0 picks a free one).")
    InetSocketAddress web;

    /** Lines of the transcript shown at start. */
    private static final int EARLIER = 20;

    private final AtomicBoolean stopped = new AtomicBoolean();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = node.spec.commandLine().getOut();
        if (node.admin != null || node.metrics != null) {
            throw node.invalid("tether chat serves no --admin or --metrics endpoint: run tether node for those");
        }
        Path transcriptFile = Path.of(node.storePath() + ".chat");
        ChatRoom room = new ChatRoom(
                ChatTranscript.open(transcriptFile, node.durability == Durability.FSYNC), channel, Clock.systemUTC());
        room.addView(new TerminalView(out));
        TransportFactory.Choice transport = TransportFactory.create(node);
        TetherNode n = start(room, transport);
        room.attach(n);
        ChatWeb page = null;
        try {
            page = web == null ? null : ChatWeb.start(web, room);
        } catch (IllegalArgumentException e) {
            n.close();
            throw node.invalid(e.getMessage());
        }
        ChatWeb served = page;
        StopSignals signals = StopSignals.install(() -> stop(n, served));
        Thread waiter = new Thread(() -> awaitSignal(signals, room), "tether-chat-signals");
        waiter.setDaemon(true);
        waiter.start();
        out.println("ready node=" + n.id() + " transport=" + transport.description() + " store=" + node.storePath()
                + " transcript=" + transcriptFile + " channel=" + channel
                + (page == null ? "" : " web=http://" + HostPort.format(page.address()) + "/"));
        out.println("Type a message and Enter to publish it on #" + channel + "; /help lists the commands.");
        printEarlier(room, out);
        Thread input = new Thread(() -> readInput(room, out, served != null), "tether-chat-input");
        input.setDaemon(true);
        input.start();
        room.quit().join();
        stop(n, page);
        return ExitCode.OK;
    }

    /** The end of the transcript, so that a restarted chat shows where the conversation was. */
    private static void printEarlier(ChatRoom room, PrintWriter out) {
        List<ChatLine> recent = room.transcript().recent();
        if (recent.isEmpty()) return;
        List<ChatLine> last = recent.subList(Math.max(0, recent.size() - EARLIER), recent.size());
        ZoneId zone = ZoneId.systemDefault();
        print(out, "-- the last " + last.size() + " of " + room.transcript().size() + " messages in the transcript --");
        for (ChatLine l : last) print(out, l.format(zone));
        print(out, "--");
    }

    private TetherNode start(ChatRoom room, TransportFactory.Choice transport) {
        SqliteStore store = node.openStore();
        TetherConfig.Builder b = NodeStart.builder(node, transport, store)
                .listener(room::onEvent)
                .handler((Delivery d) -> room.onDelivery(d));
        return NodeStart.start(NodeStart.build(node, b), store);
    }

    /** Reads lines typed until {@code /quit} or the end of input, which ends the chat unless a page is served. */
    private static void readInput(ChatRoom room, PrintWriter out, boolean pageServed) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null && !room.quit().isDone(); line = in.readLine()) {
                String reply = room.input(line);
                if (!reply.isEmpty()) print(out, reply);
            }
        } catch (IOException e) {
            print(out, "* input failed: " + e.getMessage());
        }
        if (!pageServed) room.quit().complete(null);
    }

    private static void awaitSignal(StopSignals signals, ChatRoom room) {
        try {
            signals.await();
            room.quit().complete(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops once: the page, then the node (what it has not delivered stays stored for the next start). */
    private void stop(TetherNode n, ChatWeb page) {
        if (!stopped.compareAndSet(false, true)) return;
        try {
            if (page != null) page.close();
        } catch (IOException e) {
            // the page's sockets are being closed anyway
        }
        n.shutdown(Duration.ofSeconds(2));
    }

    private static void print(PrintWriter out, String text) {
        synchronized (out) {
            out.println(text);
            out.flush();
        }
    }

    /** The terminal: messages as {@code 12:01:02 #general bob: hello}, notices as {@code * ...}. */
    private static final class TerminalView implements ChatRoom.View {
        private final PrintWriter out;
        private final ZoneId zone = ZoneId.systemDefault();

        TerminalView(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void line(ChatLine line) {
            print(out, line.format(zone));
        }

        @Override
        public void notice(String text) {
            print(out, "* " + text);
        }
    }
}
