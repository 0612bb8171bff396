package dev.tether.internal.engine;

import dev.tether.Priority;
import dev.tether.TetherEvent.UnsendableMessage;
import dev.tether.internal.util.WeightedLevels;
import dev.tether.spi.StoredMessage;

/**
 * Puts sender streams on the wire: opens a stream that must open, and transmits what its credit allows as DATA
 * frames, paging from the store what is not in memory (docs/PROTOCOL.md, sender steps 3, 4 and 8). Changes a stream only
 * through its own methods; the engine's thread only.
 */
final class Transmitter {
    private final long epoch;
    /** This process's incarnation: the sender epoch of its volatile streams, which exist for this process only. */
    private final long bootId;

    private final EngineOutput out;
    private final FrameWriter frames;
    private final PeerTable peers;
    private final Statistics stats;

    Transmitter(long epoch, long bootId, EngineOutput out, FrameWriter frames, PeerTable peers, Statistics stats) {
        this.epoch = epoch;
        this.bootId = bootId;
        this.out = out;
        this.frames = frames;
        this.peers = peers;
        this.stats = stats;
    }

    /** The sender epoch stream {@code s} states in its frames: the boot id for a volatile stream. */
    long epochOf(OutStream s) {
        return s.isVolatile() ? bootId : epoch;
    }

    /**
     * Opens the stream if it must; returns whether it is open with something its credit lets it transmit (then {@link
     * #transmitFrame} until false).
     */
    boolean open(long now, OutStream s) {
        if (!peers.connected(s.key.peer())) return false;
        // A volatile stream opens only once the peer's boot id is known on this connection: were it a new process,
        // its fresh cursor would accept again what the earlier one may have processed (peerRestarted).
        if (s.isVolatile() && !peers.helloHeard(s.key.peer())) return false;
        switch (s.link()) {
            case CLOSED -> {
                if (s.needsOpen()) {
                    sendOpen(s);
                    s.opening(now);
                }
                return false;
            }
            case OPEN -> {
                if (s.sentUpTo() < s.sendLimit()) return true;
                s.armProbeIfStalled(now);
                return false;
            }
            default -> {
                return false; // OPENING, DIVERGED
            }
        }
    }

    /**
     * The stream's level at transmission: the highest of the messages its credit lets it send now (those in memory;
     * the ones after them wait for a page, and for their turn after the ones before them anyway). Without looking at
     * them while its page holds messages of one level only ({@link PageBounds#onlyLevel}; a reader's messages are in
     * its log's window, so it looks).
     */
    int level(OutStream s) {
        long last = Math.min(s.sendLimit(), s.memLast());
        int only = s.log == null ? s.page.onlyLevel() : -1;
        if (only >= 0) return s.sentUpTo() < last ? only : Priority.DEFAULT;
        int level = 0;
        boolean any = false;
        for (long seq = s.sentUpTo() + 1; seq <= last && level < WeightedLevels.LEVELS - 1; seq++) {
            OutRing m = s.toTransmit(seq);
            if (m == null) continue;
            level = Math.max(level, m.level(seq));
            any = true;
        }
        return any ? level : Priority.DEFAULT;
    }

    void sendOpen(OutStream s) {
        frames.open(s.key.peer(), s.key.lane(), epochOf(s), s.ackedSeq(), s.committedSeq());
    }

    /**
     * Transmits one DATA frame of what credit allows (paging from the store what is not in memory); returns whether
     * more may be transmitted now.
     */
    boolean transmitFrame(long now, OutStream s) {
        long limit = s.sendLimit();
        if (s.sentUpTo() + 1 > s.memLast()) {
            requestLoad(s);
            return false;
        }
        boolean wasIdle = !s.hasUnackedTransmissions();
        int count = writeData(now, s, Math.min(limit, s.memLast()));
        s.transmitted(now, count, wasIdle);
        // Karn's rule: only a frame whose last message went out for the first time is timed (DataRoundTrip).
        if (s.transmissions(s.sentUpTo()) == 1) {
            PeerTable.Peer p = peers.get(s.key.peer());
            if (p != null) p.data.transmitted(now, s, s.sentUpTo());
        }
        if (s.sentUpTo() < limit) return true;
        s.armProbeIfStalled(now);
        return false;
    }

    /**
     * An ACK of {@code s} came: it measures the round trip to the peer if it confirms the frame timed there ({@link
     * DataRoundTrip}); returns the peer's retransmission timeout from now on, between {@code min} and {@code max}.
     */
    long acked(long now, OutStream s, long receivedSeq, long processedSeq, long min, long max) {
        PeerTable.Peer p = peers.get(s.key.peer());
        if (p == null) return min;
        p.data.acked(now, s, receivedSeq, processedSeq);
        return p.data.rto(min, max);
    }

    /**
     * {@code s} goes back to transmit again ({@code timeout}: its retransmission timer fired, and the timeout backs
     * off between {@code min} and {@code max}): a frame timed on it is not measured.
     */
    void goesBack(OutStream s, boolean timeout, long min, long max) {
        PeerTable.Peer p = peers.get(s.key.peer());
        if (p != null) p.data.goesBack(s, timeout, min, max);
    }

    private void requestLoad(OutStream s) {
        long from = s.pageToLoad();
        if (from > 0) out.load(s.key, from, s.pageRoom());
    }

    /**
     * Sends one DATA frame starting at {@code sentUpTo+1}, with as many messages up to {@code last} as fit, and
     * returns how many. Expired messages go out as EXPIRED markers, and so do those expired here and gone;
     * withdrawn ones (cancelled calls) as CANCELLED markers; those dropped here (DROP_OLDEST), and those a reader's
     * log deleted by retention before the reader took them, as DROPPED markers; one that cannot go into a frame even
     * alone as a damaged stand-in ({@link FrameWriter#unsent}), reported by an {@link UnsendableMessage} event.
     */
    private int writeData(long now, OutStream s, long last) {
        long first = s.sentUpTo() + 1;
        frames.beginData(s.key.peer(), s.key.lane(), epochOf(s), first);
        int count = 0;
        for (long seq = first; seq <= last; seq++) {
            OutRing m = s.toTransmit(seq);
            StoredMessage sm = m == null ? null : m.stored(seq);
            boolean corrupt = sm != null && m.corrupt(seq);
            long expiresAt = sm == null ? 0 : sm.expiresAtMillis();
            // Dropped here to make room (DROP_OLDEST), or gone from a reader's log before it took it (retention),
            // unless expired here: a DROPPED marker.
            boolean dropped = s.droppedHere(seq)
                    || (sm == null && s.log != null && seq > s.settledSeq() && seq <= s.log.trimmedSeq());
            // A damaged message's deadline is not trusted either: it goes to the receiver's dead-letter queue, even
            // if withdrawn (the receiver keeps the damaged bytes for inspection; the caller gave up on it anyway).
            boolean expired = !dropped && (sm == null || (!corrupt && expiresAt != 0 && expiresAt <= now));
            boolean withdrawn = !expired && !dropped && !corrupt && s.withdrawals.contains(seq);
            int size = expired || withdrawn || dropped
                    ? FrameWriter.markerSize()
                    : FrameCodec.messageSize(sm.headers(), sm.payload().length);
            String unsent = expired || withdrawn || dropped ? null : frames.unsendable(size, sm.headers());
            if (unsent != null) size = FrameWriter.unsentSize(unsent); // never put on the wire as it is
            // Compressed (or found compressed: it is kept) before the fit, so that it counts at its wire size against
            // the frame target; its decompressed size still counts against the frame limit.
            WireCompression.Compressed z = expired || withdrawn || dropped || corrupt || unsent != null
                    ? null
                    : frames.compression.forPeer(peers.codecs(s.key.peer()), m, seq);
            int wireSize = z == null ? size : FrameCodec.messageSize(z.headers(), z.payload().length);
            if (!frames.fits(wireSize, size, count)) break;
            boolean before = s.transmittedBefore(seq, m);
            int flags = before || s.recovered(seq) ? Frame.Message.REDELIVERY : 0;
            if (dropped) frames.marker(s.key.lane(), seq, flags, Frame.Message.DROPPED, 0);
            else if (expired) frames.marker(s.key.lane(), seq, flags, Frame.Message.EXPIRED, expiresAt);
            else if (withdrawn) frames.marker(s.key.lane(), seq, flags, Frame.Message.CANCELLED, expiresAt);
            else if (unsent != null) {
                frames.unsent(s.key.lane(), seq, flags, expiresAt, unsent);
                // At its first transmission only: a retransmitted stand-in is no news.
                if (!before) stats.unsendable(now, new UnsendableMessage(s.key.peer(), s.key.lane(), seq, unsent));
            } else if (corrupt)
                frames.message(flags | Frame.Message.CORRUPT, expiresAt, sm.headers(), sm.payload(), m.checksum(seq));
            else {
                if (z == null) frames.message(flags, expiresAt, sm.headers(), sm.payload(), m.checksum(seq));
                else frames.compressed(flags, expiresAt, z, sm.payload().length, m.checksum(seq));
            }
            count++;
        }
        frames.endData(s.key.peer(), count);
        return count;
    }
}
