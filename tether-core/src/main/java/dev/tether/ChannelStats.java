package dev.tether;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counters of one channel as seen from this node ({@link TetherNode#channelStats()}; docs/MESSAGING.md, "Channel
 * statistics"): its memberships here, this node's log of it (what this node publishes there and its readers), and
 * what this node received there as a reader. Counters start at zero with each process; {@code held} and the
 * memberships are the state at the snapshot. Immutable.
 *
 * @param channel the channel's name
 * @param role the role this node joined it with (for itself, or for its endpoints: the union of theirs), or null if
 *     it is not a member
 * @param endpoints this node's endpoints that joined it, with their roles, by name (sorted)
 * @param readers the nodes reading this node's log of it now
 * @param published messages this process stored in this node's log of it: its publishes, its endpoints' and routing
 *     rules' copies to the channel (each once, whatever the number of readers)
 * @param held messages this node's log of it holds now (stored or being stored, not yet trimmed)
 * @param publishesRejected publishes refused because the log was full ({@link ChannelOptions.WhenFull#REJECT},
 *     {@link ChannelOptions.WhenFull#BLOCK}): at once, after waiting, offered and not taken, or by the log's own
 *     check; their sum over channels is {@link NodeStats#publishesRejected()}
 * @param rejectedByLog of {@code publishesRejected}, those the log's own check refused when the publish was numbered
 *     (a limit lowered after the publisher was admitted)
 * @param blockedPublishes publishers waiting for room in the log now
 * @param readersMissed messages the log's retention deleted before a reader took them, counted once per reader that
 *     missed them ({@link StreamStats#missed()} of the readers' streams)
 * @param delivered messages of the channel this node received as a reader, from every publisher, and delivered (to its
 *     handler, channel handler or endpoints' copies)
 * @param missed messages of the channel this node missed as a reader: deleted by a publisher's retention before this
 *     node took them
 * @param endpointCopies copies of the channel's messages made for this node's joined endpoints (one per endpoint and
 *     message; a message routed again after a failed settlement counts again)
 */
public record ChannelStats(
        String channel,
        ChannelRole role,
        Map<String, ChannelRole> endpoints,
        int readers,
        long published,
        long held,
        long publishesRejected,
        long rejectedByLog,
        int blockedPublishes,
        long readersMissed,
        long delivered,
        long missed,
        long endpointCopies) {

    /** Copies the endpoints, sorted by name. */
    public ChannelStats {
        java.util.Objects.requireNonNull(channel, "channel");
        endpoints = java.util.Collections.unmodifiableMap(new TreeMap<>(endpoints));
    }

    /** These counters with this node's memberships and its endpoints' copies (the layers above the streams'). */
    public ChannelStats withMembers(ChannelRole role, Map<String, ChannelRole> endpoints, long endpointCopies) {
        return new ChannelStats(
                channel,
                role,
                endpoints,
                readers,
                published,
                held,
                publishesRejected,
                rejectedByLog,
                blockedPublishes,
                readersMissed,
                delivered,
                missed,
                endpointCopies);
    }
}
