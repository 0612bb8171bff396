package dev.tether.internal.channel;

import dev.tether.ChannelRole;
import dev.tether.ChannelRoleException;
import dev.tether.Channels;
import dev.tether.MessageHandler;
import dev.tether.MessageId;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.PeerInfo;
import dev.tether.Registration;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.ChannelPort;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.RoutedDelivery;
import dev.tether.internal.runtime.Router;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Channels above the node runtime (docs/CHANNELS-DESIGN.md, section 5): this node's memberships, the join and leave
 * messages it exchanges with its peers, publishes on its own channel logs, and the delivery of channel messages to
 * channel handlers. It is the node's router: channel traffic is taken here, everything else goes on to the call
 * layer. A join is a durable message to every known peer on the reserved lane {@value #LANE}; each peer that
 * publishes makes the joiner a reader of its log (if the role reads) before it acknowledges it, so a publish made
 * after the join completed is delivered. Thread-safe: the application's calls from any thread, join and leave
 * messages on the node thread, channel handlers on the handler threads.
 */
public final class ChannelLayer implements Router {
    /** The lane of join and leave messages between nodes. */
    public static final String LANE = "_ch";

    private final NodeRuntime runtime;
    private final ChannelPort port;
    private final Router next;
    private final Map<String, ChannelRole> memberships = new ConcurrentHashMap<>();
    private final Map<String, ChannelHandler> handlers = new ConcurrentHashMap<>();
    private final MessageConsumer control = new Control();

    /** Channels of {@code runtime}, routing everything that is not channel traffic to {@code next}. */
    public ChannelLayer(NodeRuntime runtime, Router next) {
        this.runtime = runtime;
        this.port = runtime.channels();
        this.next = next;
    }

    // ---- the application ------------------------------------------------------------------------------

    /**
     * Joins {@code channel} as {@code role} (replacing an earlier role) and tells every known peer; completes when
     * each of them has taken care of it.
     */
    public CompletableFuture<Void> join(String channel, ChannelRole role) {
        Channels.requireApplicationChannel(channel);
        Objects.requireNonNull(role, "role");
        memberships.put(channel, role);
        return tellPeers("join:" + channel + ":" + role.name());
    }

    /** Leaves {@code channel} and tells every known peer; completes when each has taken care of it. */
    public CompletableFuture<Void> leave(String channel) {
        Channels.requireApplicationChannel(channel);
        memberships.remove(channel);
        return tellPeers("leave:" + channel);
    }

    private CompletableFuture<Void> tellPeers(String message) {
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);
        List<CompletableFuture<Outcome>> told = new ArrayList<>();
        for (PeerInfo p : runtime.peers()) {
            told.add(runtime.submit(p.id(), LANE, Map.of(), payload, 0, null).processed());
        }
        return CompletableFuture.allOf(told.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * Publishes {@code payload} with {@code headers} on {@code channel}, which this node joined with a role that
     * writes: completes with its id once it is stored (once, whatever the number of readers).
     */
    public CompletableFuture<MessageId> publish(String channel, Map<String, String> headers, byte[] payload) {
        Channels.requireApplicationChannel(channel);
        ChannelRole role = memberships.get(channel);
        if (role == null || !role.writes()) {
            throw new ChannelRoleException("node " + runtime.id() + " cannot publish on channel '" + channel + "': "
                    + (role == null ? "it did not join it" : "it joined it " + role));
        }
        return port.publish(channel, headers, payload, 0);
    }

    /** The channels this node joined, with their roles: a copy. */
    public Map<String, ChannelRole> memberships() {
        return Map.copyOf(memberships);
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
        Channels.requireApplicationChannel(channel);
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
            ChannelHandler h = handlers.get(Channels.channelOf(key.lane()));
            return h != null && h.isActive() ? h : null; // none: the node's handler
        }
        return next.route(key, m);
    }

    @Override
    public MessageConsumer duplicate(StreamKey key, InboundMessage m, String originalLane, long originalSeq) {
        return next.duplicate(key, m, originalLane, originalSeq);
    }

    @Override
    public void cancelled(StreamKey key, long seq) {
        next.cancelled(key, seq);
    }

    @Override
    public void volatileLost(StreamKey key, long upToSeq) {
        next.volatileLost(key, upToSeq);
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
            String problem = apply(from, parts);
            if (problem != null) runtime.protocolError(from, "invalid channel message from " + from + ": " + problem);
            d.ack(); // also an invalid one: the stream goes on
        }

        /** Applies a join or leave; returns why it is invalid, or null. */
        private String apply(NodeId from, String[] parts) {
            if (parts.length < 2 || !Channels.isValid(parts[1])) return "no valid channel";
            String channel = parts[1];
            if (parts[0].equals("leave") && parts.length == 2) {
                port.removeReaderHere(channel, from);
                return null;
            }
            if (!parts[0].equals("join") || parts.length != 3) return "neither join nor leave";
            ChannelRole role;
            try {
                role = ChannelRole.valueOf(parts[2]);
            } catch (IllegalArgumentException e) {
                return "unknown role " + parts[2];
            }
            if (role.reads()) port.addReaderHere(channel, from, Long.MAX_VALUE);
            else port.removeReaderHere(channel, from); // a WRITE member receives nothing
            return null;
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
            } catch (Exception e) {
                d.fail("channel handler failed: " + e);
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
