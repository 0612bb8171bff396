package dev.tether.internal.bus;

import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.bus.Address;
import dev.tether.bus.EndpointDelivery;
import dev.tether.internal.runtime.ForwardingDelivery;
import dev.tether.internal.runtime.RoutedDelivery;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A message as one endpoint sees it: the runtime's delivery, the sender's and receiver's addresses, and the sender's
 * headers without Tether's reserved ones. Its first settlement is counted and, on an endpoint with a {@link Strand},
 * releases the strand (as a {@link StrandDelivery} would, without a second object per message): the endpoint stays
 * busy until the message is settled. Thread-safe: settlements may come from any thread.
 */
final class BusDelivery extends ForwardingDelivery implements EndpointDelivery {
    private final RoutedDelivery d;
    private final LocalEndpoint to;
    /** The endpoint's strand, started for this message, or null. */
    private final Strand strand;

    private Map<String, String> headers;

    /** {@code d} for endpoint {@code to}; counted as started on {@code strand} unless null (on its task's thread). */
    BusDelivery(RoutedDelivery d, LocalEndpoint to, Strand strand) {
        super(d);
        this.d = d;
        this.to = to;
        this.strand = strand;
        if (strand != null) strand.started();
    }

    @Override
    public Address fromAddress() {
        if (!isCopy()) return EndpointLanes.sender(d.from(), d.headers());
        String origin = d.headers().get(EndpointLanes.ORIGIN);
        NodeId node = d.from();
        try {
            if (origin != null) node = NodeId.of(origin);
        } catch (RuntimeException invalid) { // a copy this node made, so never; the stream's node then
        }
        return EndpointLanes.sender(node, d.headers());
    }

    @Override
    public Address to() {
        return to.address();
    }

    @Override
    public String subLane() {
        return EndpointLanes.subLaneOf(d.lane());
    }

    @Override
    public Kind kind() {
        if (!isCopy()) return Kind.DIRECT;
        return Channels.BROADCAST.equals(d.headers().get(EndpointLanes.CHANNEL)) ? Kind.BROADCAST : Kind.PUBLISH;
    }

    @Override
    public String channel() {
        return isCopy() ? d.headers().get(EndpointLanes.CHANNEL) : null;
    }

    /**
     * Whether this is a channel copy this node made: on the endpoint's channel lane, from this node itself. Only then
     * are its publisher ({@value EndpointLanes#ORIGIN}) and channel ({@value EndpointLanes#CHANNEL}) trusted; the
     * engine refuses a peer's stream on that lane, this is the second line.
     */
    private boolean isCopy() {
        return EndpointLanes.isChannelLane(d.lane())
                && d.from().equals(to.address().node());
    }

    @Override
    public Map<String, String> headers() {
        Map<String, String> h = headers;
        if (h == null) {
            h = new HashMap<>();
            for (Map.Entry<String, String> e : d.headers().entrySet()) {
                if (!e.getKey().startsWith(":")) h.put(e.getKey(), e.getValue());
            }
            headers = h = Map.copyOf(h);
        }
        return h;
    }

    @Override
    public boolean ack() {
        return settled(d.ack(), true);
    }

    @Override
    public boolean nack() {
        return settled(d.nack(), false);
    }

    @Override
    public boolean nack(Duration retryAfter) {
        return settled(d.nack(retryAfter), false);
    }

    /** Fails this attempt with {@code reason} (the handler threw). */
    boolean fail(String reason) {
        return settled(d.fail(reason), false);
    }

    /** Settles the message without processing: the endpoint was closed before it reached the handler. */
    boolean refuse() {
        return released(d.settleWithout(Outcome.NO_SUCH_ENDPOINT));
    }

    /** Acknowledges it without counting it as received (a broadcast the endpoint ignores). */
    boolean ackUncounted() {
        return released(d.ack());
    }

    private boolean settled(boolean first, boolean acked) {
        if (first) to.count(acked);
        return released(first);
    }

    /** The first settlement releases the strand: the stream's next run queues behind it. */
    private boolean released(boolean first) {
        if (first && strand != null) strand.settled();
        return first;
    }

    @Override
    public String toString() {
        return "EndpointDelivery[" + fromAddress() + " -> " + to.address() + ", " + d + "]";
    }
}
