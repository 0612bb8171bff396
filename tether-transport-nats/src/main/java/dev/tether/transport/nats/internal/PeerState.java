package dev.tether.transport.nats.internal;

import java.util.ArrayDeque;

/** What a {@link LinkTable} knows of one peer: its session, the link ids, and ids retired. Guarded by its lock. */
final class PeerState {
    long connection;
    long myLink;
    long theirLink;
    boolean up;
    boolean blocked;
    long lastHeard;
    /** Why the node refused this peer; it is ignored until {@link LinkTable#allow}. */
    String refusal;
    /** Reported present to the discovery listener (heard, not gone since). */
    boolean present;
    /** The link ids (ours, theirs) this node last greeted with at an announcement while not up, or 0. */
    private long greetedMine;

    private long greetedTheirs;

    private final ArrayDeque<Long> retired = new ArrayDeque<>();

    boolean isRetired(long id) {
        return retired.contains(id);
    }

    void retire(long id) {
        if (id == 0 || retired.contains(id)) return;
        if (retired.size() == LinkTable.RETIRED_PER_PEER) retired.removeFirst();
        retired.addLast(id);
    }

    /**
     * Called at each announcement of the peer while this node is not up with it: whether the handshake has stalled.
     * Holding both link ids without being up means we sent HELLO(mine, theirs) and the peer's agreeing reply has not
     * come: it is in flight, or it was lost (core NATS is at-most-once). In the second case the peer is up on exactly
     * this pair and, as replies are sent only on a change, ignores our repeated greeting for good. The first
     * announcement that finds the pair only records it, so a handshake in progress or an announcement that overtook
     * the reply costs nothing; the next one that finds the same pair, an announce interval later, reports the stall.
     * Link ids are never reused, so an equal pair is the same link.
     */
    boolean stalled() {
        if (up || myLink == 0 || theirLink == 0) return false;
        if (greetedMine == myLink && greetedTheirs == theirLink) return true;
        greetedMine = myLink;
        greetedTheirs = theirLink;
        return false;
    }
}
