package dev.tether.cli;

import dev.tether.Delivery;
import dev.tether.NodeId;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A delivery as {@link DeliveryPrinter} sees it (from a, lane default, seq 7, header k=v), keeping its nacks. */
final class PrintedDelivery implements Delivery {
    private final byte[] payload;
    private final boolean redelivery;
    /** The delays of the nacks it was given, in order. */
    final List<Duration> nacks = new ArrayList<>();

    PrintedDelivery(byte[] payload, boolean redelivery) {
        this.payload = payload;
        this.redelivery = redelivery;
    }

    @Override
    public NodeId from() {
        return NodeId.of("a");
    }

    @Override
    public String lane() {
        return "default";
    }

    @Override
    public long seq() {
        return 7;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("k", "v");
    }

    @Override
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload);
    }

    @Override
    public byte[] payloadBytes() {
        return payload.clone();
    }

    @Override
    public boolean isRedelivery() {
        return redelivery;
    }

    @Override
    public int attempt() {
        return 1;
    }

    @Override
    public boolean ack() {
        return true;
    }

    @Override
    public boolean nack() {
        return nack(Duration.ZERO);
    }

    @Override
    public boolean nack(Duration retryAfter) {
        nacks.add(retryAfter);
        return true;
    }
}
