package dev.tether.internal.engine;

import dev.tether.NodeId;
import dev.tether.ProtocolException;
import java.nio.ByteBuffer;

/**
 * Where a frame from a peer goes: checked against the peer table, decoded (and decompressed), counted as a protocol
 * error if it is malformed or from a peer this node does not know, else handed to the unit it concerns (HELLO to
 * {@link Hellos}, OPEN, DATA and CANCEL to {@link Receivers}, ACK, RESEND and OUTCOME to {@link Senders}, PING and
 * PONG to {@link RoundTrips}). The engine's thread only.
 */
final class InboundFrames {
    private final EngineConfig cfg;
    private final FrameWriter frames;
    private final Statistics stats;
    private final PeerTable peers;
    private final Senders senders;
    private final Receivers receivers;
    private final SharedLogs logs;
    private final RoundTrips roundTrips;
    private final Hellos hellos;

    InboundFrames(
            EngineConfig cfg,
            EngineOutput out,
            FrameWriter frames,
            Statistics stats,
            PeerTable peers,
            Senders senders,
            Receivers receivers,
            SharedLogs logs,
            RoundTrips roundTrips) {
        this.cfg = cfg;
        this.frames = frames;
        this.stats = stats;
        this.peers = peers;
        this.senders = senders;
        this.receivers = receivers;
        this.logs = logs;
        this.roundTrips = roundTrips;
        this.hellos = new Hellos(out, stats, peers, senders);
    }

    /** See {@link Engine#onFrame}. */
    void onFrame(long now, NodeId from, ByteBuffer frame) {
        PeerTable.Peer p = peers.get(from);
        if (p == null) {
            stats.protocolError(now, from, "frame from unknown peer " + from);
            return;
        }
        if (p.removed) { // its connection is being closed
            stats.frameIgnored();
            return;
        }
        p.arrived(now);
        Frame f;
        try {
            int length = frame.remaining();
            f = frames.compression.inflate(FrameCodec.decode(frame), length, cfg.maxFrameBytes());
        } catch (ProtocolException e) {
            stats.protocolError(now, from, e.getMessage());
            return;
        }
        p.heard();
        String local = nodeLocalLane(f);
        if (local != null) {
            stats.protocolError(now, from, NodeLocalLanes.refusal(local));
            return;
        }
        if (f instanceof Frame.Hello h) hellos.onHello(now, p, h);
        else if (f instanceof Frame.Open o) receivers.onOpen(from, o);
        else if (f instanceof Frame.Data d) receivers.onData(now, from, d);
        else if (f instanceof Frame.Acks a) senders.onAcks(now, from, a);
        else if (f instanceof Frame.Resend r) senders.onResend(from, r);
        else if (f instanceof Frame.OutcomeNotice o) {
            OutStream missedBy = senders.onOutcome(from, o);
            if (missedBy != null) logs.missedReported(missedBy);
        } else if (f instanceof Frame.Cancel c) onCancel(now, from, c);
        else if (f instanceof Frame.Ping g) frames.pong(from, g.sentAt());
        else if (f instanceof Frame.Pong g) roundTrips.onPong(now, p, g);
    }

    /**
     * The lane of stream frame {@code f} if it is one of this node's own loopback lanes, else null: a peer's frame
     * there would pose as this node (its channel copies' publisher and channel), so it is refused unread.
     */
    private static String nodeLocalLane(Frame f) {
        String lane = f instanceof Frame.Open o
                ? o.lane()
                : f instanceof Frame.Data d ? d.lane() : f instanceof Frame.Cancel c ? c.lane() : null;
        return lane != null && NodeLocalLanes.isNodeLocal(lane) ? lane : null;
    }

    /** A withdrawal the receiver could not keep (too many ahead of their messages) is counted and reported. */
    private void onCancel(long now, NodeId from, Frame.Cancel c) {
        if (receivers.onCancel(from, c) != InStream.Withdrawal.DROPPED) return;
        stats.protocolError(
                now,
                from,
                "CANCEL of message " + c.seq() + " on " + c.lane() + " dropped: " + InStream.MAX_CANCELLED_AHEAD
                        + " CANCELs of messages not received yet are kept for the stream already; the message is"
                        + " delivered if it arrives as it was first sent");
    }
}
