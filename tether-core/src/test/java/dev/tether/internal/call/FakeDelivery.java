package dev.tether.internal.call;

import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.InboundMessage;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.RoutedDelivery;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.LongSupplier;

/** A {@link RoutedDelivery} that records how it was settled (the first settlement wins, as in the runtime). */
final class FakeDelivery implements RoutedDelivery {
    /** The store epoch of the (fake) sender of every delivery. */
    static final long EPOCH = 0x5eedL;

    final StreamKey key;
    final InboundMessage message;
    private final LongSupplier clock;
    String settled;
    Effect effect;
    String failure;
    Outcome outcome;

    FakeDelivery(StreamKey key, InboundMessage message, LongSupplier clock) {
        this.key = key;
        this.message = message;
        this.clock = clock;
    }

    static FakeDelivery of(
            String from, String lane, long seq, Map<String, String> headers, long expiresAt, FakeHost h) {
        return of(from, lane, EPOCH, seq, headers, expiresAt, h);
    }

    /** A delivery from incarnation {@code epoch} of {@code from}. */
    static FakeDelivery of(
            String from, String lane, long epoch, long seq, Map<String, String> headers, long expiresAt, FakeHost h) {
        InboundMessage m = new InboundMessage(seq, expiresAt, headers, "payload".getBytes(), false, 1, epoch);
        return new FakeDelivery(new StreamKey(NodeId.of(from), lane), m, () -> h.now);
    }

    private boolean settle(String how) {
        if (settled != null) return false;
        settled = how;
        return true;
    }

    @Override
    public StreamKey key() {
        return key;
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
        return message.expiresAtMillis() != 0 && message.expiresAtMillis() <= clock.getAsLong();
    }

    @Override
    public boolean ackWith(Effect effect) {
        this.effect = effect;
        return settle("ackWith");
    }

    @Override
    public boolean refuseWith(Effect reply) {
        this.effect = reply;
        return settle("refuseWith");
    }

    @Override
    public boolean fail(String reason) {
        this.failure = reason;
        return settle("fail");
    }

    @Override
    public boolean expire() {
        return settle("expire");
    }

    @Override
    public boolean settleWithout(Outcome outcome) {
        this.outcome = outcome;
        return settle("without");
    }

    @Override
    public boolean deadLetter(String reason) {
        return settle("dead-lettered: " + reason);
    }

    @Override
    public NodeId from() {
        return key.peer();
    }

    @Override
    public String lane() {
        return key.lane();
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
        return settle("ack");
    }

    @Override
    public boolean nack() {
        return fail("nacked");
    }

    @Override
    public boolean nack(java.time.Duration retryAfter) {
        return fail("nacked for " + retryAfter);
    }
}
