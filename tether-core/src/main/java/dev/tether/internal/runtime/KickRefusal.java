package dev.tether.internal.runtime;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a node kicked from the cluster is refused at the handshake: {@code refuser} holds the verdict of generation
 * {@code generation} by which {@code decider} kicked {@code kicked}. It travels as the text of the transport's
 * refusal (docs/PROTOCOL.md, "Membership"), so a node of an earlier version just reports it as {@code
 * ConnectionRejected}; this version recognises it in the text the refused end reports ({@link #parse}).
 */
public record KickRefusal(NodeId kicked, NodeId refuser, NodeId decider, long generation) {
    /** The prefix transports give the refused end's reason (the in-memory network, TCP). */
    static final String REFUSED_BY_PEER = "refused by the peer: ";

    private static final Pattern TEXT = Pattern.compile(
            "(\\S+) was kicked from the cluster by (\\S+) \\(generation (\\d+)\\); refused by (\\S+) until readmitted.*");

    /** The refusal's text, sent to the kicked node. */
    public String reason() {
        return kicked + " was kicked from the cluster by " + decider + " (generation " + generation + "); refused by "
                + refuser + " until readmitted (NodeManagement.readmit(" + kicked + "))";
    }

    /**
     * The kick of {@code self} a refusal of a connection with {@code remote} names, or null if it names none. Taken only
     * if the refuser it names is the one the transport reports ({@code remote} is its id, or its id and " at " an
     * address): a peer cannot make this node stop dialing another by naming it.
     */
    static KickRefusal parse(NodeId self, String remote, String reason) {
        if (reason == null || remote == null || !reason.startsWith(REFUSED_BY_PEER)) return null;
        Matcher m = TEXT.matcher(reason.substring(REFUSED_BY_PEER.length()));
        if (!m.matches() || !m.group(1).equals(self.value())) return null;
        String refuser = m.group(4);
        if (!remote.equals(refuser) && !remote.startsWith(refuser + " at ")) return null;
        try {
            return new KickRefusal(self, NodeId.of(refuser), NodeId.of(m.group(2)), Long.parseLong(m.group(3)));
        } catch (InvalidIdException | NumberFormatException e) {
            return null;
        }
    }
}
