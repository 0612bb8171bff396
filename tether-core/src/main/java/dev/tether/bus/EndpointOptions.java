package dev.tether.bus;

import dev.tether.AckMode;
import java.util.Objects;

/**
 * Where an endpoint's handler runs and how many of its messages run at once. Immutable; each method returns a new
 * value.
 *
 * <ul>
 *   <li><b>One at a time</b> (the default): the endpoint handles one message at a time across all its inbound
 *       streams (every sending node and sub-lane), like an actor, so its state needs no locks. The endpoint stays
 *       busy until the message is settled: with {@link AckMode#MANUAL}, until {@code ack()} or {@code nack()}. A
 *       stream backing off after a failure does not hold it.
 *   <li>{@link #concurrent()}: messages of different streams may run at the same time (still one at a time per
 *       stream).
 *   <li>{@link #onNodeThread()}: on the node thread (fewer thread hand-offs; the whole node waits while it runs:
 *       for short non-blocking handlers), else on the node's handler threads.
 *   <li>{@link #durable()}: the endpoint's name is stored; while no endpoint of that name is registered (before its
 *       first registration after a restart, after {@code close()}), messages for it wait at the head of their
 *       streams instead of being settled as {@code NO_SUCH_ENDPOINT}, until it is registered again or {@link
 *       Bus#forget} is called; its channel memberships ({@link Endpoint#join}) are stored too.
 *   <li>{@link #ignoreBroadcasts()}: the endpoint does not receive the broadcast channel's messages.
 * </ul>
 */
public final class EndpointOptions {
    private static final EndpointOptions DEFAULTS = new EndpointOptions(false, false, AckMode.AUTO, false, false);

    private final boolean nodeThread;
    private final boolean concurrent;
    private final AckMode ackMode;
    private final boolean durable;
    private final boolean ignoreBroadcasts;

    private EndpointOptions(
            boolean nodeThread, boolean concurrent, AckMode ackMode, boolean durable, boolean ignoreBroadcasts) {
        this.nodeThread = nodeThread;
        this.concurrent = concurrent;
        this.ackMode = ackMode;
        this.durable = durable;
        this.ignoreBroadcasts = ignoreBroadcasts;
    }

    /** On the handler threads, one message at a time, {@link AckMode#AUTO}. */
    public static EndpointOptions defaults() {
        return DEFAULTS;
    }

    /** Runs the handler on the node thread. */
    public EndpointOptions onNodeThread() {
        return new EndpointOptions(true, concurrent, ackMode, durable, ignoreBroadcasts);
    }

    /** Runs the handler on the node's handler threads (the default). */
    public EndpointOptions onHandlerThreads() {
        return new EndpointOptions(false, concurrent, ackMode, durable, ignoreBroadcasts);
    }

    /** Lets messages of different inbound streams run at once; one at a time per stream still. */
    public EndpointOptions concurrent() {
        return new EndpointOptions(nodeThread, true, ackMode, durable, ignoreBroadcasts);
    }

    /** How messages are settled: by the handler's return ({@link AckMode#AUTO}) or by the handler. */
    public EndpointOptions ackMode(AckMode mode) {
        return new EndpointOptions(
                nodeThread, concurrent, Objects.requireNonNull(mode, "mode"), durable, ignoreBroadcasts);
    }

    /**
     * Makes the endpoint durable: registering it stores its name (the registration returns once that is durable, so
     * it must not be made on the node thread), and messages for it wait while it is not registered. A name stays
     * durable until {@link Bus#forget}, whatever the options of later registrations.
     */
    public EndpointOptions durable() {
        return new EndpointOptions(nodeThread, concurrent, ackMode, true, ignoreBroadcasts);
    }

    /**
     * Makes the endpoint ignore broadcasts: messages of the broadcast channel ({@code Channels.BROADCAST}, {@link
     * Endpoint#broadcast}, {@code TetherNode.broadcast}) are not copied to it. By default every endpoint receives them.
     */
    public EndpointOptions ignoreBroadcasts() {
        return new EndpointOptions(nodeThread, concurrent, ackMode, durable, true);
    }

    /** Whether the endpoint ignores broadcasts. */
    public boolean isIgnoringBroadcasts() {
        return ignoreBroadcasts;
    }

    /** Whether the endpoint is durable. */
    public boolean isDurable() {
        return durable;
    }

    /** Whether the handler runs on the node thread. */
    public boolean isOnNodeThread() {
        return nodeThread;
    }

    /** Whether different streams may run at once. */
    public boolean isConcurrent() {
        return concurrent;
    }

    /** How messages are settled. */
    public AckMode ackMode() {
        return ackMode;
    }

    @Override
    public String toString() {
        return "EndpointOptions[" + (nodeThread ? "node thread" : "handler threads")
                + (concurrent ? ", concurrent" : ", one at a time") + ", " + ackMode
                + (durable ? ", durable" : "") + (ignoreBroadcasts ? ", ignoring broadcasts" : "") + "]";
    }
}
