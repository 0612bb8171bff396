package dev.tether.internal.management;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.spi.DeadLetter;
import dev.tether.spi.WriteBatch;

/** The id of a dead letter, {@code from/lane/senderEpoch/seq}: what identifies it in the store. */
final class DeadLetterIds {
    private DeadLetterIds() {}

    static String of(DeadLetter d) {
        return d.from() + "/" + d.lane() + "/" + d.senderEpoch() + "/" + d.seq();
    }

    /**
     * The removal that {@code id} names.
     *
     * @throws IllegalArgumentException if {@code id} is not of the form {@code from/lane/senderEpoch/seq}
     */
    static WriteBatch.DeadLetterRemoval parse(String id) {
        String[] p = id == null ? new String[0] : id.split("/", -1);
        if (p.length != 4) throw malformed(id, "four parts separated by '/'");
        try {
            return new WriteBatch.DeadLetterRemoval(NodeId.of(p[0]), p[1], Long.parseLong(p[2]), Long.parseLong(p[3]));
        } catch (NumberFormatException e) {
            throw malformed(id, "a number as sender epoch and as sequence number");
        } catch (InvalidIdException e) {
            throw malformed(id, "a valid node id first (" + e.getMessage() + ")");
        }
    }

    private static IllegalArgumentException malformed(String id, String expected) {
        return new IllegalArgumentException("malformed dead-letter id '" + id + "': expected from/lane/senderEpoch/seq"
                + " (as listed by deadLetters), with " + expected);
    }
}
