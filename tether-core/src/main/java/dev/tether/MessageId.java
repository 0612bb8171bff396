package dev.tether;

/** Where a sent message sits: its destination, lane and sequence number in that stream. */
public record MessageId(NodeId to, String lane, long seq) {
    @Override
    public String toString() {
        return to + "/" + lane + "#" + seq;
    }
}
