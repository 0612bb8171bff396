package dev.tether.internal.engine;

/**
 * The round trip from a DATA frame to the ACK that confirms it, to one peer, and the retransmission timeout it gives
 * (docs/PROTOCOL.md sender step 6), estimated as TCP does (RFC 6298): one frame timed at a time, over all the peer's
 * streams; a smoothed round trip {@code srtt} and its variation {@code rttvar}; the timeout {@code srtt + 4 rttvar},
 * never below the configured first timeout nor above its cap.
 *
 * <p>Why: the round trip includes the time the frame waits behind others at the receiver, and its ACK follows the
 * receiver's commit. With a deep pipeline (many streams, or a large credit) that is far above the 200 ms first
 * timeout, and a fixed timeout, reset to it on every progress, sent most messages twice (about 1.9 million
 * retransmissions for 2 million messages with 10,000 lanes in the TCP bench, 0.6 million with 10 lanes).
 *
 * <p>Karn's rule: only a frame whose last message went out for the first time is timed, and its timing is void if
 * its stream goes back (a timeout or a RESEND) or the connection ends, since its ACK could then confirm either
 * transmission. A timeout of the timed stream backs the timeout off (doubled, up to the cap), and the backed-off
 * timeout stays until a frame is confirmed without going back: else a round trip above the timeout would never be
 * measured. The engine's thread only.
 */
final class DataRoundTrip {
    /**
     * A frame timed this long ago without an ACK or a going back is given up (its stream was removed, or stopped as
     * diverged), so that another is timed.
     */
    static final long STALE_MILLIS = 30_000;

    /** The stream of the frame being timed, or null: the next first transmission to this peer is timed. */
    private OutStream timed;

    private long timedSeq;
    private long timedAt;
    /** Smoothed round trip and its variation (ms); {@code srtt} negative before the first measurement. */
    private double srtt = -1;

    private double rttvar;
    /** The timeout after a timeout of the timed stream, until a frame is confirmed without one; 0 if none. */
    private long backedOff;

    /** A DATA frame of {@code s} ending at {@code lastSeq}, its first transmission, went out at {@code now}. */
    void transmitted(long now, OutStream s, long lastSeq) {
        if (timed != null && now - timedAt < STALE_MILLIS) return;
        timed = s;
        timedSeq = lastSeq;
        timedAt = now;
    }

    /** An ACK of {@code s} saying {@code receivedSeq} arrived and {@code processedSeq} is processed came at {@code now}. */
    void acked(long now, OutStream s, long receivedSeq, long processedSeq) {
        if (s != timed || Math.max(receivedSeq, processedSeq) < timedSeq) return;
        timed = null;
        backedOff = 0;
        long r = Math.max(0, now - timedAt);
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2.0;
        } else {
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
            srtt = 0.875 * srtt + 0.125 * r;
        }
    }

    /**
     * {@code s} goes back to transmit again ({@code timeout}: its retransmission timer fired): a frame timed on it
     * is void, and a timeout backs the timeout off (between {@code min} and {@code max}).
     */
    void goesBack(OutStream s, boolean timeout, long min, long max) {
        if (s != timed) return;
        timed = null;
        if (timeout) backedOff = Math.min(max, 2 * rto(min, max));
    }

    /** The connection ended: a frame timed on it is confirmed, if ever, after a reconnection. */
    void connectionEnded() {
        timed = null;
    }

    /** The retransmission timeout (ms): {@code min} until a round trip is measured, at most {@code max}. */
    long rto(long min, long max) {
        long estimate = srtt < 0 ? min : (long) Math.ceil(srtt + Math.max(1, 4 * rttvar));
        return Math.min(max, Math.max(min, Math.max(estimate, backedOff)));
    }
}
