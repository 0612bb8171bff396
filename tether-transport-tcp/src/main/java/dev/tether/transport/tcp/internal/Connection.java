package dev.tether.transport.tcp.internal;

import dev.tether.NodeId;
import io.netty.channel.Channel;
import java.net.SocketAddress;
import java.util.List;

/**
 * One TCP connection as the {@link PeerRegistry} sees it. Fields other than {@link #outbound} are read and
 * written only on the transport's I/O thread.
 */
final class Connection {
    final Channel channel;
    /** Whether this node dialed the connection. */
    final boolean dialedBySelf;
    /** For a dial, the peer this node meant to reach; null for an accepted connection and for a seed dial. */
    final NodeId expectedPeer;
    /** For a seed dial, the seed's address (the peer's id is learnt from its HELLO); else null. */
    final SocketAddress seed;

    /** The authenticated peer, once its HELLO passed. */
    NodeId peer;

    int peerMaxFrameBytes;
    /** Set once the connection is the current one to its peer (it is never current again afterwards). */
    volatile Outbound outbound;
    /** Whether the connection completed the handshake and was installed as its peer's connection. */
    boolean established;
    /** The addresses the peer advertised in its member list on this connection; empty until then. */
    List<String> advertised = List.of();

    Connection(Channel channel, boolean dialedBySelf, NodeId expectedPeer, SocketAddress seed) {
        this.channel = channel;
        this.dialedBySelf = dialedBySelf;
        this.expectedPeer = expectedPeer;
        this.seed = seed;
    }

    /** The other end for reports: its claimed or expected id and its address, as far as known. */
    String remote() {
        SocketAddress address = channel.remoteAddress();
        NodeId id = peer != null ? peer : expectedPeer;
        String where = address == null ? (seed == null ? "unknown address" : "seed " + seed) : address.toString();
        return id == null ? where : id + " at " + where;
    }

    /** Whether this connection was dialed by whichever of the two nodes has the smaller id. */
    boolean dialedBySmaller(NodeId self) {
        boolean selfSmaller = self.compareTo(peer) < 0;
        return dialedBySelf == selfSmaller;
    }

    @Override
    public String toString() {
        return (dialedBySelf ? "dialed " : "accepted ") + remote();
    }
}
