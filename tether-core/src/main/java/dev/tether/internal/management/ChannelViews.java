package dev.tether.internal.management;

import dev.tether.ChannelRole;
import dev.tether.Channels;
import dev.tether.NodeId;
import dev.tether.PeerInfo;
import dev.tether.StreamStats;
import dev.tether.management.ChannelStatus;
import dev.tether.management.SubscriberStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The channels of a node for management, from two snapshots: its memberships (the channel layer's) and its streams'
 * statistics, where each reader of this node's log of a channel is an outbound stream on the lane {@code _c.<channel>}.
 */
final class ChannelViews {
    private ChannelViews() {}

    /** Every channel joined, with readers or with nodes banned here ({@code kicked}), sorted by name. */
    static List<ChannelStatus> channels(
            Map<String, ChannelRole> memberships,
            List<StreamStats> streams,
            List<PeerInfo> peers,
            Map<String, List<NodeId>> kicked) {
        Map<String, List<StreamStats>> readers = new TreeMap<>();
        for (String channel : memberships.keySet()) readers.put(channel, new ArrayList<>());
        for (String channel : kicked.keySet()) readers.put(channel, new ArrayList<>());
        for (StreamStats s : streams) {
            if (isReader(s))
                readers.computeIfAbsent(channelOf(s), c -> new ArrayList<>()).add(s);
        }
        Set<NodeId> connected = connected(peers);
        List<ChannelStatus> out = new ArrayList<>(readers.size());
        readers.forEach((channel, rs) -> out.add(new ChannelStatus(
                channel,
                memberships.get(channel),
                rs.stream().mapToLong(StreamStats::lastSeq).max().orElse(0),
                subscribers(rs, connected),
                kicked.getOrDefault(channel, List.of()))));
        return out;
    }

    /** The readers of this node's log of {@code channel}, sorted by id. */
    static List<SubscriberStatus> subscribers(String channel, List<StreamStats> streams, List<PeerInfo> peers) {
        String lane = Channels.lane(channel);
        List<StreamStats> rs = streams.stream()
                .filter(s -> isReader(s) && s.lane().equals(lane))
                .toList();
        return subscribers(rs, connected(peers));
    }

    /** The memberships as {@code name:ROLE}, sorted by name (the topology's form). */
    static List<String> names(Map<String, ChannelRole> memberships) {
        return new TreeMap<>(memberships)
                .entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).toList();
    }

    private static List<SubscriberStatus> subscribers(List<StreamStats> readers, Set<NodeId> connected) {
        return readers.stream()
                .sorted(Comparator.comparing(s -> s.peer().value()))
                .map(s -> new SubscriberStatus(
                        s.peer(),
                        connected.contains(s.peer()),
                        s.cursor(),
                        Math.max(0, s.lastSeq() - s.cursor()),
                        s.missed()))
                .toList();
    }

    private static boolean isReader(StreamStats s) {
        return s.direction() == StreamStats.Direction.OUTBOUND && Channels.isChannelLane(s.lane());
    }

    private static String channelOf(StreamStats s) {
        return s.lane().substring(Channels.LANE_PREFIX.length());
    }

    private static Set<NodeId> connected(List<PeerInfo> peers) {
        return peers.stream().filter(PeerInfo::connected).map(PeerInfo::id).collect(Collectors.toSet());
    }
}
