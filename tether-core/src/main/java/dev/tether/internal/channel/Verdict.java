package dev.tether.internal.channel;

import dev.tether.NodeId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest kick or re-admission of one node that this node knows of, as stored (a re-admission is kept, not deleted,
 * so that an older kick arriving later loses to it). Verdicts are ordered by {@code generation}, then by the id of the
 * node that decided ({@code by}): the one that decides takes its last known generation plus one, so of a kick and a
 * re-admission decided at the same time on two nodes with the same generation, the one decided by the node with the
 * greater id wins on every node, in whatever order they arrive (last writer wins, one order everywhere).
 *
 * <p>{@code pending}: what follows the decision here (the removal or addition of the peer, the purge, the tells of a
 * decision made here) is not known to be done yet; a restarted node does it again from the stored verdict (each step
 * is idempotent), then stores the verdict as done.
 *
 * @param banned a kick (true) or a re-admission
 * @param generation the verdict's number for this node, 1 for the first
 * @param by the node that decided it
 * @param pending whether its follow-ups may not be done yet
 * @param addresses where the kicked node was reached (a re-admission adds it there again)
 */
record Verdict(boolean banned, long generation, NodeId by, boolean pending, List<String> addresses) {
    /** First byte of a stored verdict; stored bans from before verdicts begin with the length of a node id. */
    private static final int FORMAT = 0xFE;

    Verdict {
        addresses = List.copyOf(addresses);
    }

    /** Whether this verdict wins against {@code other} (null: none yet): a newer generation, or the same by a greater id. */
    boolean supersedes(Verdict other) {
        if (other == null) return true;
        if (generation != other.generation) return generation > other.generation;
        return by.value().compareTo(other.by.value()) > 0;
    }

    /** Whether this verdict is {@code other}'s decision (same generation, same decider). */
    boolean sameDecision(Verdict other) {
        return other != null && generation == other.generation && by.equals(other.by);
    }

    /** The same verdict with its follow-ups done. */
    Verdict done() {
        return new Verdict(banned, generation, by, false, addresses);
    }

    /** The generation a new decision after {@code last} (null: none) takes. */
    static long next(Verdict last) {
        return last == null ? 1 : last.generation + 1;
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeBoolean(banned);
            out.writeLong(generation);
            out.writeUTF(by.value());
            out.writeBoolean(pending);
            out.writeShort(addresses.size());
            for (String a : addresses) out.writeUTF(a);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a stored verdict; a ban stored before verdicts (the kicker, then the addresses) is a kick of generation 0
     * whose follow-ups are done again once (they may not have been: that version did them after storing it).
     */
    static Verdict decode(byte[] value) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
        boolean current = value.length > 0 && (value[0] & 0xFF) == FORMAT;
        if (current) in.readUnsignedByte();
        boolean banned = !current || in.readBoolean();
        long generation = current ? in.readLong() : 0;
        NodeId by = NodeId.of(in.readUTF());
        boolean pending = !current || in.readBoolean();
        int n = in.readUnsignedShort();
        List<String> addresses = new ArrayList<>(n);
        for (int i = 0; i < n; i++) addresses.add(in.readUTF());
        if (in.available() != 0) throw new IOException(in.available() + " trailing bytes");
        if (generation < 0) throw new IOException("negative generation " + generation);
        return new Verdict(banned, generation, by, pending, addresses);
    }
}
