package dev.tether.internal.runtime;

import dev.tether.Delivery;
import dev.tether.NodeId;
import dev.tether.internal.engine.InboundMessage;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A delivery backed by an engine message; its first ack or nack wins and is reported to its run. */
final class RealDelivery implements Delivery {
    static final int OPEN = 0;
    static final int ACKED = 1;
    static final int NACKED = 2;
    /** Its time to live ran out before it reached the application; it was not handed out. */
    static final int EXPIRED = 3;

    private final DeliveryRun run;
    private final InboundMessage message;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    volatile String failure;

    RealDelivery(DeliveryRun run, InboundMessage message) {
        this.run = run;
        this.message = message;
    }

    @Override
    public NodeId from() {
        return run.key.peer();
    }

    @Override
    public String lane() {
        return run.key.lane();
    }

    @Override
    public long seq() {
        return message.seq();
    }

    @Override
    public Map<String, String> headers() {
        return message.headers();
    }

    @Override
    public ByteBuffer payload() {
        return ByteBuffer.wrap(message.payload()).asReadOnlyBuffer();
    }

    @Override
    public byte[] payloadBytes() {
        return message.payload().clone();
    }

    @Override
    public boolean isRedelivery() {
        return message.redelivery();
    }

    @Override
    public int attempt() {
        return message.attempt();
    }

    @Override
    public boolean ack() {
        if (!state.compareAndSet(OPEN, ACKED)) return false;
        run.settled(this);
        return true;
    }

    @Override
    public boolean nack() {
        return fail("nacked by the application");
    }

    boolean fail(String reason) {
        failure = reason;
        if (!state.compareAndSet(OPEN, NACKED)) return false;
        run.settled(this);
        return true;
    }

    /**
     * Called right before this delivery would reach the application: if its time to live has run out, it is
     * settled as expired (its run reports that) and true is returned; it must then not be handed out.
     */
    boolean expireIfDue() {
        if (!run.expired(message) || !state.compareAndSet(OPEN, EXPIRED)) return false;
        run.settled(this);
        return true;
    }

    /** Settles without notifying the run (the run's owner reports it). */
    int settleQuietly(boolean ok, String reason) {
        if (!ok) failure = reason;
        state.compareAndSet(OPEN, ok ? ACKED : NACKED);
        return state.get();
    }

    int state() {
        return state.get();
    }

    @Override
    public String toString() {
        return "Delivery[" + run.key + "#" + message.seq() + ", attempt " + message.attempt() + "]";
    }
}
