package dev.tether.internal.bus;

import dev.tether.AckMode;
import dev.tether.AsyncHandler;
import dev.tether.Call;
import dev.tether.ChannelRole;
import dev.tether.Handler;
import dev.tether.OfferResult;
import dev.tether.Registration;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.bus.Address;
import dev.tether.bus.Endpoint;
import dev.tether.bus.EndpointHandler;
import dev.tether.bus.EndpointOptions;
import dev.tether.bus.EndpointStats;
import dev.tether.internal.call.EndpointCalls;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.RoutedDelivery;
import dev.tether.internal.runtime.SendTarget;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * One endpoint of this node: the consumer of the messages routed to its lanes, and a sender as itself. Its consumer
 * runs on its {@link Strand} (one message at a time across its streams), or straight on its executor when
 * {@linkplain EndpointOptions#concurrent() concurrent}. Thread-safe.
 */
final class LocalEndpoint implements Endpoint, MessageConsumer {
    private final BusLayer bus;
    private final Address address;
    private final EndpointHandler handler;
    private final boolean manual;
    private final boolean ignoresBroadcasts;
    private final Strand strand;
    private final Executor executor;
    private final EndpointCalls calls;
    private volatile boolean closed;
    /** The reserved header naming this endpoint as the sender, kept: sends without headers allocate none. */
    private final Map<String, String> fromHeader;
    /** {@link #fromHeader}'s encoded size, measured once (-1: measured per send). */
    private final long fromHeaderBytes;
    /** The stream of this node's messages to this endpoint on no sub-lane, with its room; made by the first send. */
    private volatile SendTarget inbound;

    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder processed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder redeliveries = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /** @param place where the handler runs: the handler threads, or null for the node thread */
    LocalEndpoint(BusLayer bus, Address address, EndpointOptions options, EndpointHandler handler, Executor place) {
        this.bus = bus;
        this.address = address;
        this.handler = handler;
        this.manual = options.ackMode() == AckMode.MANUAL;
        this.ignoresBroadcasts = options.isIgnoringBroadcasts();
        if (options.isConcurrent()) {
            this.strand = null;
            this.executor = place;
        } else {
            // On the node thread the strand still matters: it holds the endpoint while a message is unsettled.
            this.strand = new Strand(place != null ? place : bus.nodeThread());
            this.executor = strand;
        }
        this.calls = bus.calls().endpointCalls(executor);
        this.fromHeader = Map.of(EndpointLanes.FROM, address.agent());
        this.fromHeaderBytes = bus.sends().headersBytes(fromHeader);
    }

    @Override
    public Address address() {
        return address;
    }

    @Override
    public SendReceipt send(Address to, byte[] payload) {
        return send(to, null, Map.of(), payload);
    }

    @Override
    public SendReceipt send(Address to, String subLane, Map<String, String> headers, byte[] payload) {
        requireOpen();
        SendReceipt r = bus.sends().send(address.agent(), fromHeader, fromHeaderBytes, to, subLane, headers, payload);
        sent.increment();
        return r;
    }

    @Override
    public SendReceipt send(
            Address to, String subLane, Map<String, String> headers, byte[] payload, java.time.Duration maxWait)
            throws InterruptedException {
        requireOpen();
        SendReceipt r = bus.sends().sendWithin(address.agent(), fromHeader, to, subLane, headers, payload, maxWait);
        sent.increment();
        return r;
    }

    @Override
    public OfferResult offer(Address to, String subLane, Map<String, String> headers, byte[] payload) {
        requireOpen();
        OfferResult r = bus.sends().offer(address.agent(), fromHeader, to, subLane, headers, payload);
        if (r.taken()) sent.increment();
        return r;
    }

    @Override
    public SendReceipt send(Address to, byte[] payload, java.time.Duration waitForEndpoint) {
        requireOpen();
        SendReceipt r = bus.sends().sendWaiting(address.agent(), to, payload, waitForEndpoint);
        sent.increment();
        return r;
    }

    @Override
    public Registration handle(String name, Handler handler) {
        requireOpen();
        Registration r = calls.handle(name, handler);
        bus.handlerAdded(address.agent());
        return r;
    }

    @Override
    public Registration handleAsync(String name, AsyncHandler handler) {
        requireOpen();
        Registration r = calls.handleAsync(name, handler);
        bus.handlerAdded(address.agent());
        return r;
    }

    @Override
    public Call call(Address to, String handler) {
        requireOpen();
        return bus.call(address.agent(), to, handler);
    }

    @Override
    public CompletableFuture<Void> join(String channel, ChannelRole role) {
        requireOpen();
        return bus.channels().join(address.agent(), bus.isDurable(address.agent()), channel, role);
    }

    @Override
    public CompletableFuture<Void> leave(String channel) {
        requireOpen();
        return bus.channels().leave(address.agent(), bus.isDurable(address.agent()), channel);
    }

    @Override
    public Map<String, ChannelRole> channels() {
        return bus.channels().of(address.agent());
    }

    @Override
    public SendReceipt publish(String channel, Map<String, String> headers, byte[] payload) {
        requireOpen();
        SendReceipt r = bus.channels().publish(address.agent(), channel, headers, payload);
        sent.increment();
        return r;
    }

    @Override
    public SendReceipt broadcast(byte[] payload) {
        requireOpen();
        SendReceipt r = bus.channels().broadcast(address.agent(), payload);
        sent.increment();
        return r;
    }

    /**
     * The stream of messages to this endpoint from its node on no sub-lane, with its admission room: found once, by the
     * first such send (a race makes the same one twice: rooms are never removed).
     */
    SendTarget inbound() {
        SendTarget t = inbound;
        if (t == null) inbound = t = bus.sends().localTarget(address.agent());
        return t;
    }

    /** Whether this endpoint ignores broadcasts ({@link EndpointOptions#ignoreBroadcasts()}). */
    boolean ignoresBroadcasts() {
        return ignoresBroadcasts;
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("endpoint " + address + " is closed");
    }

    @Override
    public EndpointStats stats() {
        return new EndpointStats(
                sent.sum(), received.sum(), processed.sum(), failed.sum(), redeliveries.sum(), refused.sum());
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        calls.close();
        bus.removed(this);
    }

    // ---- the consumer of its lanes ----

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public void consume(RoutedDelivery d) {
        // Read once: a close() on another thread between two reads made a durable name's message neither wait nor
        // run, but settle as NO_SUCH_ENDPOINT. A close racing this delivery now either precedes it (it waits or is
        // refused) or follows it (the handler runs, as for a message taken just before the close).
        boolean shut = closed;
        if (shut && bus.parkIfDurable(address.agent(), d)) return; // waits for the name's next registration
        BusDelivery b = new BusDelivery(d, this, strand); // holds the strand, if any, until settled
        if (ignoresBroadcasts && b.kind() == dev.tether.bus.EndpointDelivery.Kind.BROADCAST) {
            b.ackUncounted(); // copied while the name was durable and not registered, when nobody knew it ignores them
            return;
        }
        if (shut) { // routed before close, reached here after: nobody takes it
            refused.increment();
            bus.refused();
            b.refuse();
            return;
        }
        received.increment();
        if (d.isRedelivery()) redeliveries.increment();
        try {
            handler.onMessage(b);
            if (!manual) b.ack();
        } catch (Throwable e) { // even an Error: an unsettled message would hold the endpoint forever
            String reason = e.getClass().getName() + ": " + e.getMessage();
            bus.report(new TetherEvent.ApplicationError("endpoint " + address, reason));
            b.fail(reason);
        }
    }

    /**
     * The consumer of message {@code m} on this endpoint's lanes: one of its named handlers for a call (on its
     * strand), else the endpoint itself.
     */
    MessageConsumer route(InboundMessage m) {
        MessageConsumer c = calls.route(m);
        if (c == null) return this;
        return strand == null ? c : StrandDelivery.on(strand, c);
    }

    /** Whether {@code m} (null: a direct message) is a call that waits for a handler this endpoint does not have. */
    boolean waitsForHandler(InboundMessage m) {
        return m != null && EndpointLanes.waits(m.headers()) && calls.lacksHandler(m);
    }

    /** A delivery of this endpoint was settled for the first time: acknowledged, or failed. */
    void count(boolean acked) {
        if (acked) processed.increment();
        else failed.increment();
    }

    @Override
    public String toString() {
        return "Endpoint[" + address + (closed ? ", closed" : "") + "]";
    }
}
