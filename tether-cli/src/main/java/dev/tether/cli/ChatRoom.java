package dev.tether.cli;

import dev.tether.ChannelJoinTimeoutException;
import dev.tether.ChannelRole;
import dev.tether.Delivery;
import dev.tether.NodeStats;
import dev.tether.PeerInfo;
import dev.tether.TetherEvent;
import dev.tether.TetherNode;
import dev.tether.node.Tether;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * What {@code tether chat} does, whoever types: a line is published on the current channel (its own copy goes into
 * the transcript once stored), a line starting with {@code /} is a command, and each delivered channel message is
 * added to the transcript once and shown on every view (the terminal, the chat pages). Thread-safe: input from the
 * terminal and from pages, deliveries on the node's handler threads.
 */
final class ChatRoom {
    /** Where the room's lines and notices go: the terminal, each connected page. */
    interface View {
        /** A message, new in the transcript. */
        void line(ChatLine line);

        /** A notice for everyone (a join completed, a peer came or went). */
        void notice(String text);
    }

    static final String HELP = String.join(
            "\n",
            "Type a line to publish it on the current channel (start it with // to begin it with /). Commands:",
            "  /join CHANNEL [read|write|read_write]   join (default read_write) and make it the current channel",
            "  /leave [CHANNEL]                        leave (default: the current channel)",
            "  /nodes   /topology   /stats             the cluster as the management API sees it",
            "  /quit                                   stop this node (what it has not delivered stays stored)");

    /** Runs a task after a pause: the room asks a join again on it (tests: one whose pauses they run themselves). */
    interface Pauses {
        /** The pauses of the JVM's delayed executor. */
        Pauses REAL = (millis, task) ->
                CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(task);

        /** Runs {@code task} about {@code millis} milliseconds from now, on another thread. */
        void after(long millis, Runnable task);
    }

    /** How many times a join that timed out is asked again after a peer came up; see {@link #join}. */
    static final int MAX_ASKS = 6;

    /** The pause before the first ask again; it doubles with each ask. */
    private static final long ASK_PAUSE_MILLIS = 250;

    private final ChatTranscript transcript;
    private final Clock clock;
    private final Pauses pauses;
    private final List<View> views = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> quit = new CompletableFuture<>();
    /** The channels joined or being joined, by name: the role and whether every known peer has taken note. */
    private final Map<String, Membership> memberships = new ConcurrentSkipListMap<>();

    private volatile TetherNode node;
    private volatile String current;

    ChatRoom(ChatTranscript transcript, String channel, Clock clock) {
        this(transcript, channel, clock, Pauses.REAL);
    }

    /** As above, the pauses before a join is asked again taken by {@code pauses}. */
    ChatRoom(ChatTranscript transcript, String channel, Clock clock, Pauses pauses) {
        this.transcript = transcript;
        this.current = channel;
        this.clock = clock;
        this.pauses = pauses;
    }

    /** The node this room chats through, once started; joins the first channel. */
    void attach(TetherNode node) {
        this.node = node;
        join(current, ChannelRole.READ_WRITE);
    }

    void addView(View v) {
        views.add(v);
    }

    void removeView(View v) {
        views.remove(v);
    }

    /** Completes when someone typed {@code /quit}. */
    CompletableFuture<Void> quit() {
        return quit;
    }

    String nodeId() {
        return node.id().value();
    }

    String currentChannel() {
        return current;
    }

    ChatTranscript transcript() {
        return transcript;
    }

    /** The node's handler: a channel message goes into the transcript once; anything else is shown as a notice. */
    void onDelivery(Delivery d) {
        String lane = d.lane();
        if (!lane.startsWith("_c.")) {
            notice("message from " + d.from() + " on lane " + lane + " (not a channel): " + d.payloadBytes().length
                    + " bytes");
            return;
        }
        add(ChatLine.of(lane.substring(3), d, clock.millis()));
    }

    /** Adds {@code line} to the transcript and, if it is new there, shows it on every view. */
    void add(ChatLine line) {
        if (transcript.add(line)) views.forEach(v -> v.line(line));
    }

    /** Handles a line typed by a person; returns the reply for that person only ("" for none). */
    String input(String typed) {
        String line = typed.strip();
        if (line.isEmpty()) return "";
        if (line.startsWith("//")) return publish(line.substring(1));
        if (!line.startsWith("/")) return publish(line);
        String[] words = line.split("\\s+");
        try {
            return switch (words[0]) {
                case "/help" -> HELP;
                case "/quit" -> {
                    quit.complete(null);
                    yield "bye";
                }
                case "/join" -> join(words);
                case "/leave" -> leave(words.length > 1 ? words[1] : current);
                case "/stats" -> stats(node.stats());
                case "/nodes" ->
                    ManagementText.nodes(Tether.management(node).topology()).stripTrailing();
                case "/topology" ->
                    ManagementText.topology(Tether.management(node).topology()).stripTrailing();
                default -> "unknown command " + words[0] + " (/help lists them)";
            };
        } catch (RuntimeException e) {
            return words[0] + " failed: " + e.getMessage();
        }
    }

    private String publish(String text) {
        String channel = current;
        long at = clock.millis();
        try {
            node.publish(channel, ChatLine.payload(at, text)).whenComplete((id, error) -> {
                if (error != null)
                    notice("not sent on #" + channel + ": " + cause(error).getMessage());
                else add(new ChatLine(channel, nodeId(), id.seq(), at, text));
            });
            return "";
        } catch (RuntimeException e) {
            return "not sent: " + e.getMessage();
        }
    }

    private String join(String[] words) {
        if (words.length < 2) return "usage: /join CHANNEL [read|write|read_write]";
        ChannelRole role = words.length > 2 ? role(words[2]) : ChannelRole.READ_WRITE;
        join(words[1], role);
        current = words[1];
        return "joining #" + words[1] + " as " + role + " (the current channel now)";
    }

    /** A channel of this node: its role, and whether the join completed. */
    record Membership(ChannelRole role, boolean complete) {}

    private static ChannelRole role(String word) {
        try {
            return ChannelRole.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + word + "': the roles are read, write and read_write");
        }
    }

    /** Joins; a join the node refuses at once (an invalid or reserved name) leaves the memberships as they were. */
    private void join(String channel, ChannelRole role) {
        Membership before = memberships.put(channel, new Membership(role, false));
        try {
            join(channel, role, 0);
        } catch (RuntimeException refused) {
            if (before == null) memberships.remove(channel, new Membership(role, false));
            else memberships.replace(channel, new Membership(role, false), before);
            throw refused;
        }
    }

    /**
     * Joins ({@code asked} 0), or asks again ({@code asked} the number of times) for a join some peer had not taken
     * note of: the room learns when every known peer has, which the first join's future, failed by its timeout, can no
     * longer say. A join is idempotent at the publishers (a reader keeps its cursor), so asking again changes nothing
     * there. A join that times out while a peer is connected (a slow peer, or one that came up just now) is asked again
     * after a pause, at most {@link #MAX_ASKS} times: each ask is one more message to every peer, a down one included,
     * so the room does not ask without end; a peer coming up starts the count again ({@link #onEvent}).
     */
    private void join(String channel, ChannelRole role, int asked) {
        node.join(channel, role).whenComplete((v, error) -> {
            if (cause(error) instanceof ChannelJoinTimeoutException late) {
                // The membership stands; the peers that did not answer take note when they return.
                if (asked == 0)
                    notice("joined #" + channel + " as " + role + "; not yet taken note of: " + late.getMessage());
                if (asked < MAX_ASKS && aPeerIsConnected())
                    pauses.after(ASK_PAUSE_MILLIS << asked, () -> joinAgain(channel, role, asked + 1));
            } else if (error != null) {
                if (memberships.remove(channel, new Membership(role, false)))
                    notice("join #" + channel + " failed: " + cause(error).getMessage());
            } else if (memberships.replace(channel, new Membership(role, false), new Membership(role, true))) {
                notice("joined #" + channel + " as " + role + ": every known peer has taken note");
            }
        });
    }

    private boolean aPeerIsConnected() {
        String self = node.id().value();
        return node.peers().stream()
                .anyMatch(p -> p.connected() && !p.id().value().equals(self));
    }

    /**
     * The node's events (on the node thread, which must not wait): peers coming and going, kicks, and failures, shown
     * as notices; a peer coming up has the joins not yet taken note of asked again, from another thread.
     */
    void onEvent(TetherEvent e) {
        if (e instanceof TetherEvent.PeerConnected c) {
            notice(c.peer() + " is up");
            memberships.forEach((channel, m) -> {
                if (!m.complete()) CompletableFuture.runAsync(() -> joinAgain(channel, m.role(), 1));
            });
        } else if (e instanceof TetherEvent.PeerDisconnected d) notice(d.peer() + " is down");
        else if (e instanceof TetherEvent.ChannelKicked k) {
            memberships.remove(k.channel());
            notice("you were kicked from #" + k.channel() + " by " + k.by() + "; /join works again once an operator"
                    + " re-admits you (tether readmit)");
        } else if (e instanceof TetherEvent.StoreFailure
                || e instanceof TetherEvent.ProtocolError
                || e instanceof TetherEvent.ApplicationError
                || e instanceof TetherEvent.DeadLettered) notice("warning: " + e);
    }

    /**
     * Asks again ({@code asked} times now) for a join not yet taken note of, unless it was taken note of, left or
     * replaced meanwhile (off the node thread); one the node now refuses is shown and dropped, not asked again.
     */
    private void joinAgain(String channel, ChannelRole role, int asked) {
        if (!new Membership(role, false).equals(memberships.get(channel))) return;
        try {
            join(channel, role, asked);
        } catch (RuntimeException e) {
            if (memberships.remove(channel, new Membership(role, false)))
                notice("join #" + channel + " failed: " + e.getMessage());
        }
    }

    /** The channels joined or being joined, by name. */
    Map<String, Membership> memberships() {
        return Map.copyOf(memberships);
    }

    private String leave(String channel) {
        if (!memberships.containsKey(channel)) {
            return "/leave: not in #" + channel + " (joined: "
                    + String.join(", ", new java.util.TreeSet<>(memberships.keySet())) + ")";
        }
        CompletableFuture<Void> left = node.leave(channel);
        memberships.remove(channel);
        left.whenComplete((v, error) -> {
            if (error != null)
                notice("leave #" + channel + " failed: " + cause(error).getMessage());
            else notice("left #" + channel);
        });
        return "leaving #" + channel;
    }

    /** The members of the cluster as this node knows them: itself, then its peers. */
    List<PeerInfo> peers() {
        return node.peers();
    }

    NodeStats stats() {
        return node.stats();
    }

    private static String stats(NodeStats s) {
        return StatsFormat.text(s).stripTrailing();
    }

    void notice(String text) {
        views.forEach(v -> v.notice(text));
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
