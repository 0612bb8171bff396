package dev.tether.internal.runtime;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.Engine;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A delivery backed by an engine message; its first settlement wins and is reported to its run. A {@linkplain
 * #quiet quiet} delivery (the configured handler in {@code AckMode.AUTO}) records the application's own {@code
 * ack()}/{@code nack()} without telling the run: the handler's return decides when the run goes on.
 */
final class RealDelivery implements RoutedDelivery {
    static final int OPEN = 0;
    static final int ACKED = 1;
    static final int NACKED = 2;
    static final int EXPIRED = 3;
    static final int WITHOUT = 4;
    static final int DEAD = 5;
    /**
     * Won by a settlement that is writing its fields (reason, effect, outcome) before it publishes its state: a
     * settlement that loses never writes them, and nobody reads them before the winner's state is published.
     */
    private static final int CLAIMED = -1;

    private static final Duration LONGEST_PAUSE = Duration.ofDays(365L * 1000);
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RealDelivery.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DeliveryRun run;
    private final InboundMessage message;
    private final boolean quiet;
    /**
     * OPEN (0, the default: no volatile write in the constructor) until the first settlement ({@link #STATE}): a field
     * with a {@link VarHandle}, not an {@code AtomicInteger}, which would be a second object per message delivered.
     */
    private volatile int state;

    volatile String failure;
    /** The pause before the next attempt asked for by {@link #nack(Duration)}, or the retry policy's. */
    volatile long retryAfterMillis = Engine.RETRY_PER_POLICY;

    volatile Effect effect;
    /** The effects of the message's route ({@link WithEffects}), stored with its settlement if it ends the route. */
    volatile List<Effect> routeEffects = List.of();
    /** The room {@link #routeEffects} reserved in their targets, or null; handed over with the settlement's report. */
    volatile RouteRooms routeRooms;

    volatile Outcome outcome;
    /** Settled by {@link #refuseWith}: acknowledged with a reply, but not processed, so its key is not recorded. */
    volatile boolean refused;

    RealDelivery(DeliveryRun run, InboundMessage message, boolean quiet) {
        this.run = run;
        this.message = message;
        this.quiet = quiet;
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
    public StreamKey key() {
        return run.key;
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
    public long senderEpoch() {
        return message.senderEpoch();
    }

    @Override
    public long expiresAtMillis() {
        return message.expiresAtMillis();
    }

    @Override
    public boolean expiredNow() {
        return run.expired(message);
    }

    @Override
    public boolean ack() {
        return claim() && settle(ACKED, !quiet);
    }

    @Override
    public boolean nack() {
        if (!claim()) return false;
        failure = "nacked by the application";
        return settle(NACKED, !quiet);
    }

    @Override
    public boolean nack(Duration retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) throw new IllegalArgumentException("negative retry pause: " + retryAfter);
        if (!claim()) return false;
        // Saturated, so that "now + pause" cannot overflow: a pause of centuries is a pause of forever.
        retryAfterMillis = retryAfter.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE.toMillis() : retryAfter.toMillis();
        failure = "nacked by the application, to be retried after " + retryAfter;
        return settle(NACKED, !quiet);
    }

    @Override
    public boolean ackWith(Effect effect) {
        if (!claim()) return false;
        this.effect = effect;
        return settle(ACKED, true);
    }

    @Override
    public boolean refuseWith(Effect reply) {
        if (!claim()) return false;
        this.effect = reply;
        this.refused = true;
        return settle(ACKED, true);
    }

    @Override
    public boolean fail(String reason) {
        if (!claim()) return false;
        failure = reason;
        return settle(NACKED, true);
    }

    @Override
    public boolean expire() {
        return claim() && settle(EXPIRED, true);
    }

    @Override
    public boolean settleWithout(Outcome outcome) {
        if (outcome != Outcome.NO_SUCH_HANDLER
                && outcome != Outcome.CANCELLED
                && outcome != Outcome.NO_SUCH_ENDPOINT
                && outcome != Outcome.DROPPED) {
            throw new IllegalArgumentException("not supported: " + outcome);
        }
        if (!claim()) return false;
        this.outcome = outcome;
        return settle(WITHOUT, true);
    }

    @Override
    public boolean deadLetter(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (!claim()) return false;
        failure = reason;
        return settle(DEAD, true);
    }

    /** Whether this settlement is the first: it then writes its fields and {@linkplain #settle publishes} its state. */
    private boolean claim() {
        return STATE.compareAndSet(this, OPEN, CLAIMED);
    }

    /** Publishes the state {@code to} of the settlement that {@linkplain #claim claimed} the delivery. */
    private boolean settle(int to, boolean tell) {
        state = to;
        if (tell) run.settled(this);
        return true;
    }

    /**
     * The handler of a quiet delivery returned ({@code failure} null) or threw: settles it unless the application
     * did already, then tells the run.
     */
    void handlerReturned(String failure) {
        if (claim()) {
            if (failure != null) this.failure = failure;
            state = failure == null ? ACKED : NACKED;
        } else {
            // settled by the application, perhaps on another thread still writing its fields: wait for its state
            while (state == CLAIMED) Thread.onSpinWait();
        }
        run.settled(this);
    }

    InboundMessage message() {
        return message;
    }

    int state() {
        return state;
    }

    @Override
    public String toString() {
        return "Delivery[" + run.key + "#" + message.seq() + ", attempt " + message.attempt() + "]";
    }
}
