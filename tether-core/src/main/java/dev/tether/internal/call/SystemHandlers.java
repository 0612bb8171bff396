package dev.tether.internal.call;

import dev.tether.CallKind;
import dev.tether.Lanes;
import dev.tether.NodeId;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.RoutedDelivery;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The system handlers every node serves (names starting with {@code '_'}, docs/MESSAGING.md "Handler discovery"):
 * {@code _hello} takes a peer's {@link Advertisement} (a tell, or a request answered with this node's own) and
 * {@code _list_handlers} answers a request with this node's advertisement, {@code _list_endpoints} with a page of its
 * endpoints ({@link EndpointPages}; a malformed request gets an error reply naming the fault, and is counted as an
 * invalid call). They run on the node thread, which owns
 * {@link PeerHandlers}. A malformed advertisement is counted as an invalid call, reported as a protocol error of its
 * sender and ignored (the peer's previous advertisement stays); one whose only fault is bogus channel or endpoint
 * entries is counted and reported the same way but kept without them. The call is still settled, so its stream goes
 * on.
 */
final class SystemHandlers implements MessageConsumer {
    static final String HELLO = "_hello";
    static final String LIST_HANDLERS = "_list_handlers";
    /** For {@link #accept}: the sender's epoch is not known (an answer to {@code _list_handlers}). */
    static final long ANY_EPOCH = Long.MIN_VALUE;

    private final CallHost host;
    private final CallCounters counters;
    private final Advertiser advertiser;
    private final PeerHandlers peers;
    private final Callee callee;

    SystemHandlers(CallHost host, CallCounters counters, Advertiser advertiser, PeerHandlers peers, Callee callee) {
        this.host = host;
        this.counters = counters;
        this.advertiser = advertiser;
        this.peers = peers;
        this.callee = callee;
    }

    @Override
    public Executor executor() {
        return null; // the node thread
    }

    @Override
    public void consume(RoutedDelivery d) {
        String name = d.headers().get(CallHeaders.HANDLER);
        CallKind kind = CallHeaders.kind(d.headers().get(CallHeaders.KIND));
        switch (name) {
            case HELLO -> {
                if (d.payloadBytes().length > 0) accept(d.from(), storeEpoch(d), d.payloadBytes());
                answer(d, kind);
            }
            case LIST_HANDLERS -> answer(d, kind);
            case EndpointPages.HANDLER -> listEndpoints(d, kind);
            default -> callee.missing(d, kind, name); // a newer peer's system handler
        }
    }

    /**
     * The store epoch of the incarnation that sent {@code d}: its stream's sender epoch, except on a volatile stream
     * (whose sender epoch is the peer's boot id), where it is the epoch the peer's HELLO stated on this connection
     * (volatile streams open only after it arrived). {@link #ANY_EPOCH} if even that is unknown.
     */
    private long storeEpoch(RoutedDelivery d) {
        if (!Lanes.isVolatile(d.lane())) return d.senderEpoch();
        long e = host.peerEpoch(d.from());
        return e == 0 ? ANY_EPOCH : e;
    }

    /** A tell is acknowledged; a sync or request is answered with this node's advertisement. */
    private void answer(RoutedDelivery d, CallKind kind) {
        if (kind == CallKind.TELL) {
            d.ack();
            return;
        }
        byte[] payload = kind == CallKind.REQUEST
                ? advertiser.current(host.clock().millis()).encode()
                : new byte[0];
        Map<String, String> headers = Map.of(
                CallHeaders.KIND,
                CallHeaders.REPLY,
                CallHeaders.CORRELATION,
                CallHeaders.correlation(d.lane(), d.seq(), d.senderEpoch()));
        String lane = Lanes.isVolatile(d.lane()) ? Lanes.VOLATILE_REPLY : Lanes.REPLY;
        d.ackWith(new Effect(d.from(), lane, headers, payload, d.expiresAtMillis()));
    }

    /** Answers a request for a page of this node's endpoints; any other kind is settled as {@code _hello} is. */
    private void listEndpoints(RoutedDelivery d, CallKind kind) {
        if (kind != CallKind.REQUEST) {
            answer(d, kind);
            return;
        }
        EndpointPages.Request request;
        try {
            request = EndpointPages.decodeRequest(d.payloadBytes());
        } catch (IllegalArgumentException e) {
            counters.invalidCalls.incrementAndGet();
            callee.refuse(
                    d, IllegalArgumentException.class.getName(), "invalid _list_endpoints request: " + e.getMessage());
            return;
        }
        callee.answer(d, EndpointPages.page(advertiser.endpointNames(), request).encode());
    }

    /**
     * {@code payload} claims to be {@code from}'s advertisement, from its incarnation {@code epoch}: keep it if it is
     * valid and newer than the one known, else count and report it. Returns it, or null if it was invalid.
     */
    Advertisement accept(NodeId from, long epoch, byte[] payload) {
        Advertisement a;
        try {
            a = Advertisement.decode(payload);
        } catch (IllegalArgumentException e) {
            return invalid(from, e.getMessage());
        }
        if (!a.id().equals(from)) return invalid(from, "it names node " + a.id());
        if (epoch != ANY_EPOCH && a.epoch() != epoch) {
            return invalid(
                    from,
                    "its epoch " + Long.toHexString(a.epoch()) + " is not the sender's " + Long.toHexString(epoch));
        }
        if (!a.dropped().isEmpty()) { // the rest is usable: only the bogus entries are left out
            counters.invalidCalls.incrementAndGet();
            host.protocolError(
                    from,
                    "invalid entries in the advertisement from " + from + ": " + String.join(", ", a.dropped())
                            + "; those dropped, the rest kept");
        }
        peers.apply(a);
        return a;
    }

    private Advertisement invalid(NodeId from, String reason) {
        counters.invalidCalls.incrementAndGet();
        host.protocolError(from, "invalid handler advertisement from " + from + ": " + reason + "; ignored");
        return null;
    }
}
