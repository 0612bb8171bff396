package dev.tether.internal.engine;

/**
 * The lanes only this node writes to itself (loopback streams): an endpoint's channel lane {@code _e.<agent>}, whose
 * messages are copies this node made and whose reserved headers {@code :o} (publishing node) and {@code :ch} (channel)
 * the endpoint trusts, and the endpoints' publish lane {@code _ep}, whose messages this node numbers into its own
 * channel logs. A peer that opens a stream on one of them poses as this node: its OPEN, DATA and CANCEL frames are
 * refused as protocol errors and no stream is opened (docs/PROTOCOL.md, "Node-local lanes").
 */
public final class NodeLocalLanes {
    /** The prefix of an endpoint's channel lane {@code _e.<agent>}. */
    public static final String ENDPOINT_CHANNEL_PREFIX = "_e.";
    /** The loopback lane of this node's endpoints' publishes and broadcasts. */
    public static final String PUBLISH_LANE = "_ep";

    private NodeLocalLanes() {}

    /** Whether {@code lane} is written by this node to itself only, never by a peer. */
    public static boolean isNodeLocal(String lane) {
        return !lane.isEmpty()
                && lane.charAt(0) == '_'
                && (lane.startsWith(ENDPOINT_CHANNEL_PREFIX) || lane.equals(PUBLISH_LANE));
    }

    /** Why a peer's frame on node-local lane {@code lane} is refused. */
    static String refusal(String lane) {
        return "lane " + lane + " is this node's own loopback lane: a peer may not open or send on it (refused)";
    }
}
