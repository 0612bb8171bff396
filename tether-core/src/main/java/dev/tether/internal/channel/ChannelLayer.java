package dev.tether.internal.channel;

import dev.tether.ChannelAccess;
import dev.tether.ChannelAccessDeniedException;
import dev.tether.ChannelOptions;
import dev.tether.ChannelRole;
import dev.tether.ChannelRoleException;
import dev.tether.ChannelStart;
import dev.tether.Channels;
import dev.tether.MessageHandler;
import dev.tether.MessageId;
import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.PeerInfo;
import dev.tether.Registration;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.ChannelPort;
import dev.tether.internal.runtime.ForwardingRouter;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.RoutedDelivery;
import dev.tether.internal.runtime.Router;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Channels above the node runtime (docs/CHANNELS-DESIGN.md, section 5): this node's memberships (stored, so a
 * restarted node is still a member), the join and leave messages it exchanges with its peers, publishes on its own
 * channel logs, and the delivery of channel messages to channel handlers. It is the node's router: channel traffic is
 * taken here, everything else goes on to the call layer. A join is a durable message to every known peer on the
 * reserved lane {@value #LANE}, and again to each peer on its first connection since the node started; a peer
 * acknowledges it together with the reader row it adds (if the role reads), in one store batch, so a publish made
 * after the join completed is delivered, also after a crash of the publisher. Thread-safe: the application's calls
 * from any thread, join and leave messages on the node thread, channel handlers on the handler threads.
 */
public final class ChannelLayer extends ForwardingRouter {
    /** The lane of join and leave messages between nodes. */
    public static final String LANE = "_ch";

    private final NodeRuntime runtime;
    private final ChannelPort port;
    private final Map<String, ChannelRole> memberships = new ConcurrentHashMap<>();
    private final Map<String, ChannelHandler> handlers = new ConcurrentHashMap<>();
    private final Map<String, ChannelAccess> access = new ConcurrentHashMap<>();
    private final MessageConsumer refused = new Refused();
    private final MessageConsumer control = new Control();
    private final ChannelKicks kicks;
    private final ClusterKicks clusterKicks;
    /** Peers told every membership by this process since it started (on their first connection); node thread. */
    private final Set<NodeId> told = new HashSet<>();
    /** Runs after each change of {@link #memberships} (the node advertises them to its peers). */
    private volatile Runnable membershipsChanged = () -> {};
    /** Adds the copies for this node's endpoints to the consumer of an accepted channel message (set before start). */
    private volatile EndpointReaders endpointReaders = (channel, key, m, handler) -> handler;

    /** Joins and leaves not completed yet: they fail when the node stops. */
    private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();

    /**
     * Channels of {@code runtime}, routing everything that is not channel traffic to {@code next}; this node is a
     * member of the channels its store holds memberships of.
     */
    public ChannelLayer(NodeRuntime runtime, Router next) {
        super(next);
        this.runtime = runtime;
        this.port = runtime.channels();
        memberships.putAll(port.storedMemberships());
        this.kicks = new ChannelKicks(
                runtime, port, port.storedKeys(ChannelKicks.NAMESPACE).join(), this::tell);
        this.clusterKicks = new ClusterKicks(
                runtime, port.storedKeys(ClusterKicks.NAMESPACE).join(), this::memberships, this::tell);
    }

    // ---- the application ------------------------------------------------------------------------------

    /**
     * Joins {@code channel} as {@code role} (replacing an earlier role), as a new reader at {@code start} in each
     * publisher's log: stores the membership, then tells every known peer; completes when each of them has taken care
     * of it. A peer that refuses the join (its allow-list does not let this node read: the join's outcome is {@link
     * Outcome#DROPPED}) fails it with {@link ChannelAccessDeniedException}, after this node left the channel again
     * (the membership deleted and the leave taken by every peer), so no publisher keeps it as a reader.
     */
    // synchronized: the memberships, the stored membership writes and the tells keep one order
    public synchronized CompletableFuture<Void> join(String channel, ChannelRole role, ChannelStart start) {
        Channels.requireApplicationChannel(channel);
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(start, "start");
        NodeId kicker = kicks.kickedBy(channel);
        if (kicker != null) return CompletableFuture.failedFuture(kicks.denied(channel, kicker));
        ChannelAccess a = access.get(channel);
        if (a != null && !a.mayJoin(runtime.id(), role)) {
            return CompletableFuture.failedFuture(new ChannelAccessDeniedException(
                    "node " + runtime.id() + " may not join channel '" + channel + "' as " + role + ": " + a));
        }
        memberships.put(channel, role);
        membershipsChanged.run();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Map<NodeId, CompletableFuture<Outcome>> told = change(channel, role, joinMessage(channel, role, start), done);
        JoinDeadline.timeOut(runtime, done, channel, told);
        return done;
    }

    /** Leaves {@code channel}: deletes the stored membership, then tells every known peer; completes when each has. */
    public synchronized CompletableFuture<Void> leave(String channel) {
        Channels.requireApplicationChannel(channel);
        memberships.remove(channel);
        membershipsChanged.run();
        CompletableFuture<Void> done = new CompletableFuture<>();
        change(channel, null, "leave:" + channel, done);
        return done;
    }

    /** {@code join:<channel>:<role>:<start kind>:<value>}. */
    private static String joinMessage(String channel, ChannelRole role, ChannelStart start) {
        return "join:" + channel + ":" + role.name() + ":" + start.kind().name() + ":" + start.value();
    }

    /**
     * Stores the membership change ({@code role} null: a leave), then (on the node thread, so that tells to one peer
     * keep the order of the changes) tells every known peer {@code message}; completes {@code done} when each has taken
     * care of it, and returns the tells' outcomes by peer as they are made. A crash in between leaves a stored
     * membership that peers learn of when they connect to the restarted node ({@link #onEvent}).
     */
    private Map<NodeId, CompletableFuture<Outcome>> change(
            String channel, ChannelRole role, String message, CompletableFuture<Void> done) {
        pending.add(done);
        done.whenComplete((v, e) -> pending.remove(done));
        Map<NodeId, CompletableFuture<Outcome>> told = new ConcurrentHashMap<>();
        port.storeMembership(channel, role, done, () -> {
            try {
                for (PeerInfo p : runtime.peers())
                    told.put(p.id(), tell(p.id(), message).processed());
            } catch (RuntimeException e) { // a send refused (the node stopping, too many sends waiting)
                done.completeExceptionally(e);
                return;
            }
            CompletableFuture.allOf(told.values().toArray(new CompletableFuture<?>[0]))
                    .whenComplete((v, e) -> {
                        List<NodeId> refusing = e == null && role != null ? refusing(told) : List.of();
                        if (e != null) done.completeExceptionally(e);
                        else if (refusing.isEmpty()) done.complete(null);
                        else undoRefused(channel, role, refusing, done);
                    });
        });
        return told;
    }

    /** The peers whose join outcome is {@link Outcome#DROPPED}: they refused it; sorted. */
    private static List<NodeId> refusing(Map<NodeId, CompletableFuture<Outcome>> told) {
        List<NodeId> l = new ArrayList<>();
        told.forEach((peer, f) -> {
            if (f.join() == Outcome.DROPPED) l.add(peer);
        });
        l.sort(java.util.Comparator.comparing(NodeId::value));
        return l;
    }

    /**
     * {@code refusing} refused this node's join of {@code channel} as {@code role}: leaves the channel (unless a later
     * join or leave changed the membership meanwhile), then fails {@code done} naming them.
     */
    private void undoRefused(String channel, ChannelRole role, List<NodeId> refusing, CompletableFuture<Void> done) {
        ChannelAccessDeniedException denied = new ChannelAccessDeniedException("node " + runtime.id()
                + " may not join channel '" + channel + "' as " + role + ": refused by " + refusing
                + " (their allow-list does not let it read); it left the channel again");
        CompletableFuture<Void> left = new CompletableFuture<>();
        synchronized (this) {
            if (memberships.remove(channel, role)) {
                membershipsChanged.run(); // the refused join was advertised: take it back
                change(channel, null, "leave:" + channel, left);
            } else {
                left.complete(null);
            }
        }
        left.whenComplete((v, e) -> {
            if (e != null) denied.addSuppressed(e);
            done.completeExceptionally(denied);
        });
    }

    private SendReceipt tell(NodeId peer, String message) {
        return runtime.submit(peer, LANE, Map.of(), message.getBytes(StandardCharsets.UTF_8), 0, null);
    }

    /**
     * The node reported {@code event} (node thread). A peer connected for the first time since this process started,
     * or found to have a new store, is told every membership (a join is idempotent at the publisher: a reader keeps
     * its cursor), so peers learn of joins made before they were known and of joins whose tells a crash cut short.
     */
    public void onEvent(TetherEvent event) {
        NodeId peer;
        if (event instanceof TetherEvent.PeerConnected c && told.add(c.peer())) peer = c.peer();
        else if (event instanceof TetherEvent.Resync r && r.lane().equals("*")) peer = r.peer();
        else return;
        runtime.post(now -> tellMemberships(peer)); // after this turn: the connection admits the peer first
    }

    private void tellMemberships(NodeId peer) {
        for (Map.Entry<String, ChannelRole> m : memberships.entrySet()) {
            try {
                tell(peer, joinMessage(m.getKey(), m.getValue(), ChannelStart.now())); // a reader keeps its place
            } catch (RuntimeException e) {
                runtime.emit(new TetherEvent.ApplicationError(
                        "join of channel " + m.getKey() + " told to " + peer, "not sent: " + e));
            }
        }
    }

    /**
     * The node runs: the follow-ups of kicks and re-admissions stored before a crash but not known to be done (peers
     * told, a kicked peer removed and its outbox purged) are done again.
     */
    public void started() {
        kicks.started();
        clusterKicks.started();
    }

    /** The node stops: joins and leaves still waiting fail. */
    public void stopping() {
        for (CompletableFuture<Void> f : pending) {
            f.completeExceptionally(new NodeClosedException("node " + runtime.id() + " is shut down"));
        }
    }

    /**
     * Publishes {@code payload} with {@code headers} on {@code channel}, which this node joined with a role that
     * writes: completes with its id once it is stored (once, whatever the number of readers).
     */
    public CompletableFuture<MessageId> publish(String channel, Map<String, String> headers, byte[] payload) {
        RuntimeException refused = publishRefusal(Channels.requireApplicationChannel(channel));
        if (refused != null) throw refused;
        return port.publish(channel, headers, payload, 0);
    }

    /**
     * Why this node may not publish on application channel {@code channel} now (kicked from it, its access does not
     * let this node write, not joined with a role that writes), or null if it may; any thread. Routing rules that
     * copy or forward to a channel ask it too.
     */
    public RuntimeException publishRefusal(String channel) {
        ChannelRole role = memberships.get(channel);
        NodeId kicker = role == null ? kicks.kickedBy(channel) : null;
        if (kicker != null) return kicks.denied(channel, kicker);
        ChannelAccess a = access.get(channel);
        if (role != null && role.writes() && a != null && !a.mayWrite(runtime.id())) {
            return new ChannelAccessDeniedException(
                    "node " + runtime.id() + " may not publish on channel '" + channel + "': " + a);
        }
        if (role == null || !role.writes()) {
            return new ChannelRoleException("node " + runtime.id() + " cannot publish on channel '" + channel + "': "
                    + (role == null ? "it did not join it" : "it joined it " + role));
        }
        return null;
    }

    /**
     * Sets the retention of this node's log of {@code channel} (an application channel or the broadcast channel):
     * publishes made after this call are subject to it.
     */
    public void options(String channel, ChannelOptions options) {
        if (!Channels.BROADCAST.equals(channel)) Channels.requireApplicationChannel(channel);
        port.options(channel, options);
    }

    /**
     * What a kick did here.
     *
     * @param wasReader whether the kicked node was a reader of this node's log of the channel
     * @param dropped how many messages of that log it had not taken care of
     * @param told the peers told to kick it too, sorted by id
     */
    public record KickOutcome(boolean wasReader, long dropped, List<NodeId> told) {}

    /**
     * Kicks {@code node} from {@code channel} (management): it stops being a reader of this node's log, every known
     * peer does the same, and its joins are refused until it is re-admitted. Completes once stored here.
     */
    public CompletableFuture<KickOutcome> kick(NodeId node, String channel) {
        return kicks.kick(node, channel);
    }

    /** Re-admits {@code node} to {@code channel} here and at every known peer: completes with the peers told. */
    public CompletableFuture<List<NodeId>> readmit(NodeId node, String channel) {
        return kicks.readmit(node, channel);
    }

    /**
     * What a kick from the cluster did here.
     *
     * @param wasKnown whether this node knew the kicked node as a peer
     * @param purged how many messages of this node's outbox to it were purged
     * @param dropped how many messages of this node's channel logs it had not taken care of
     * @param told the peers told to kick it as well, sorted by id
     */
    public record NodeKickOutcome(boolean wasKnown, long purged, long dropped, List<NodeId> told) {}

    /**
     * Kicks {@code node} from the cluster (management): removed here as a peer, with what this node owed it dropped,
     * and at every known peer when it takes the kick. Completes once removed here.
     */
    public CompletableFuture<NodeKickOutcome> kick(NodeId node) {
        return clusterKicks
                .kick(node)
                .thenApply(o -> new NodeKickOutcome(o.wasKnown(), o.purged(), o.dropped(), o.told()));
    }

    /** Re-admits {@code node} to the cluster here and at every known peer: completes with the peers told. */
    public CompletableFuture<List<NodeId>> readmit(NodeId node) {
        return clusterKicks.readmit(node);
    }

    /** The nodes kicked from the cluster as far as this node knows, sorted. */
    public List<NodeId> kickedNodes() {
        return clusterKicks.kicked();
    }

    /** Sets who may read and write {@code channel}, checked by this node from now on ({@link ChannelAccess}). */
    public void access(String channel, ChannelAccess a) {
        Channels.requireApplicationChannel(channel);
        access.put(channel, Objects.requireNonNull(a, "access"));
    }

    /** The nodes this node holds banned, sorted, by channel: a copy. */
    public Map<String, List<NodeId>> banned() {
        return kicks.banned();
    }

    /** Lets {@code readers} (the bus layer's endpoints on channels) choose channel messages' consumers; before start. */
    public void endpointReaders(EndpointReaders readers) {
        this.endpointReaders = Objects.requireNonNull(readers, "readers");
    }

    /** Runs {@code action} (on any thread, quickly) after each change of this node's memberships; before start. */
    public void onMembershipsChanged(Runnable action) {
        this.membershipsChanged = Objects.requireNonNull(action, "action");
    }

    private void kickedFrom(String channel) {
        if (memberships.remove(channel) != null) membershipsChanged.run();
    }

    /** The channels this node joined, with their roles: a copy. */
    public Map<String, ChannelRole> memberships() {
        return Map.copyOf(memberships);
    }

    /**
     * Publishes {@code payload} on the broadcast channel, whose readers are the peers this node knows now: those that
     * are not readers of its log yet become readers from here on, and removed peers stop being readers (they would
     * hold the log), before the publish is numbered.
     */
    public CompletableFuture<MessageId> broadcast(Map<String, String> headers, byte[] payload) {
        Set<NodeId> peers = new HashSet<>();
        for (PeerInfo p : runtime.peers()) peers.add(p.id());
        port.setReaders(Channels.BROADCAST, peers);
        return port.publish(Channels.BROADCAST, headers, payload, 0);
    }

    /** The role this node joined {@code channel} with, or null. */
    public ChannelRole role(String channel) {
        return memberships.get(channel);
    }

    /**
     * Hands the messages of {@code channel} to {@code handler} (on the handler threads, in order per publisher; the
     * handler's return acknowledges, a throw fails the message as for any handler) instead of the node's handler.
     */
    public Registration handle(String channel, MessageHandler handler) {
        if (!Channels.BROADCAST.equals(channel)) Channels.requireApplicationChannel(channel);
        Objects.requireNonNull(handler, "handler");
        ChannelHandler h = new ChannelHandler(channel, handler, runtime.handlerThreads());
        if (handlers.putIfAbsent(channel, h) != null) {
            throw new IllegalStateException("channel '" + channel + "' has a handler already");
        }
        return h;
    }

    // ---- routing --------------------------------------------------------------------------------------

    @Override
    public MessageConsumer route(StreamKey key, InboundMessage m) {
        if (LANE.equals(key.lane())) return control;
        if (Channels.isChannelLane(key.lane())) {
            String channel = Channels.channelOf(key.lane());
            ChannelAccess a = access.get(channel);
            if ((a != null && !a.mayWrite(key.peer()))
                    || kicks.isBanned(channel, key.peer())
                    || kicks.kickedBy(channel) != null) { // this node was kicked: it reads no more of the channel
                return refused;
            }
            ChannelHandler h = handlers.get(Channels.channelOf(key.lane()));
            return endpointReaders.route(channel, key, m, h != null && h.isActive() ? h : null); // null: node's handler
        }
        return next.route(key, m);
    }

    /** Join and leave messages from peers, on the node thread: this node's logs gain or lose the sender as reader. */
    private final class Control implements MessageConsumer {
        @Override
        public Executor executor() {
            return null;
        }

        @Override
        public void consume(RoutedDelivery d) {
            String[] parts = new String(d.payloadBytes(), StandardCharsets.UTF_8).split(":", -1);
            NodeId from = d.from();
            if (kicks.take(d, parts, ChannelLayer.this::kickedFrom) || clusterKicks.take(d, parts)) return;
            if (parts.length >= 3 && parts[0].equals("join") && Channels.isValid(parts[1])) {
                if (kicks.refusedJoin(d, parts[1], from) || refusedByAccess(d, parts[1], roleNamed(parts[2]))) return;
            }
            ChannelStart start = parts.length == 5 && parts[0].equals("join") ? start(parts[3], parts[4]) : null;
            ChannelRole role = start != null ? roleNamed(parts[2]) : null;
            if (role != null && role.reads() && start.kind() == ChannelStart.Kind.TIME) { // WRITE: removed below
                readFrom(d, parts[1], start.value()); // the position is looked up in the log first
                return;
            }
            Effect change = change(from, parts, start);
            if (change != null) {
                d.ackWith(change); // the reader row is stored with the cursor that records this message processed
                return;
            }
            runtime.protocolError(from, "invalid channel message from " + from + ": " + String.join(":", parts));
            d.ack(); // the stream goes on
        }

        /**
         * Refuses (true) a join of {@code channel} as {@code role} by a node its access does not let read: removes it
         * from the readers (it may have been one before), then settles the join as {@link Outcome#DROPPED}, which
         * fails the joiner's {@code join}.
         */
        private boolean refusedByAccess(RoutedDelivery d, String channel, ChannelRole role) {
            ChannelAccess a = access.get(channel);
            if (a == null || role == null || !role.reads() || a.mayRead(d.from())) return false;
            // A crash before the settle takes the join again, and refuses it again.
            runtime.writeKeys(List.of(Effect.removeReader(channel, d.from())), () -> d.settleWithout(Outcome.DROPPED));
            runtime.emit(new TetherEvent.ChannelJoinRefused(channel, d.from(), "not among the readers of " + a));
            return true;
        }

        /** The reader change a join or leave makes, or null if the message is invalid. */
        private Effect change(NodeId from, String[] parts, ChannelStart start) {
            if (parts.length < 2 || !Channels.isValid(parts[1])) return null;
            String channel = parts[1];
            if (parts[0].equals("leave") && parts.length == 2) {
                return Effect.removeReader(channel, from);
            }
            boolean valid = parts[0].equals("join") && (parts.length == 3 || (parts.length == 5 && start != null));
            ChannelRole role = valid ? roleNamed(parts[2]) : null;
            if (role == null) return null;
            return role.reads()
                    ? Effect.addReader(channel, from, afterSeq(start))
                    : Effect.removeReader(channel, from); // a WRITE member receives nothing
        }

        /** A reader from a time: acknowledged, with its reader row, once its position in the log is known. */
        private void readFrom(RoutedDelivery d, String channel, long startMillis) {
            if (!Channels.isValid(channel)) {
                runtime.protocolError(d.from(), "invalid channel name in a join from " + d.from());
                d.ack();
                return;
            }
            port.positionAt(channel, startMillis).whenComplete((after, e) -> {
                if (e == null) d.ackWith(Effect.addReader(channel, d.from(), after));
                else d.fail("channel log not read: " + e); // tried again per the retry policy
            });
        }
    }

    /** Where a new reader starting at {@code start} (null: a join without one) starts, clamped by the engine. */
    private static long afterSeq(ChannelStart start) {
        if (start == null) return Engine.LOG_END;
        return switch (start.kind()) {
            case NOW -> Engine.LOG_END;
            case EARLIEST -> 0;
            case SEQUENCE -> start.value() - 1;
            case TIME -> throw new IllegalArgumentException("a start by time is looked up in the log");
        };
    }

    private static ChannelRole roleNamed(String name) {
        try {
            return ChannelRole.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static ChannelStart start(String kind, String value) {
        try {
            return new ChannelStart(ChannelStart.Kind.valueOf(kind), Long.parseLong(value));
        } catch (IllegalArgumentException e) { // NumberFormatException too
            return null;
        }
    }

    /**
     * Messages of a channel from a publisher its access does not let write, or that was kicked from it, or of a channel
     * this node was kicked from (sent before the publisher took the kick or this node's leave): dropped (taken care of)
     * and reported.
     */
    private final class Refused implements MessageConsumer {
        @Override
        public Executor executor() {
            return null; // the node thread
        }

        @Override
        public void consume(RoutedDelivery d) {
            runtime.emit(new TetherEvent.ChannelMessageRefused(Channels.channelOf(d.lane()), d.from(), d.seq()));
            d.ack();
        }
    }

    /** A channel handler: an application handler of one channel's messages, on the handler threads. */
    private final class ChannelHandler implements MessageConsumer, Registration {
        private final String channel;
        private final MessageHandler handler;
        private final Executor threads;
        private volatile boolean active = true;

        ChannelHandler(String channel, MessageHandler handler, Executor threads) {
            this.channel = channel;
            this.handler = handler;
            this.threads = threads;
        }

        @Override
        public Executor executor() {
            return threads;
        }

        @Override
        public void consume(RoutedDelivery d) {
            try {
                handler.onMessage(d);
                d.ack();
            } catch (Throwable e) { // even an Error: an unsettled message would stall the channel's stream for good
                d.fail("channel handler failed: " + runtime.handlerFailed(d, e)); // counted and reported as the node's
            }
        }

        @Override
        public String name() {
            return channel;
        }

        @Override
        public boolean isActive() {
            return active;
        }

        @Override
        public void close() {
            active = false;
            handlers.remove(channel, this);
        }
    }
}
