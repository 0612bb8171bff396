package dev.tether.internal.engine;

import dev.tether.StreamStats;
import dev.tether.spi.StoredMessage;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Sender-side state of one stream; only its own methods change it. Sequence numbers split into ranges: {@code
 * ..ackedSeq} taken care of by the receiver; {@code ..settledSeq} taken care of by the receiver or expired here
 * (trimmed from the store); {@code ..sentUpTo} transmitted on this connection; {@code ..committedSeq} stored;
 * {@code ..lastSeq} assigned (the batches being committed). Messages {@code settledSeq+1..memLast} are cached in
 * memory, as far as its {@link PageBounds} let them; later stored ones are paged in from the store.
 *
 * <p>A message never transmitted (by this lifetime, nor possibly by an earlier one: above {@link #expiryFloor}) cannot
 * have reached the receiver, so the sender expires it at its deadline ({@link SenderExpiry}). docs/PROTOCOL.md, sender.
 */
final class OutStream extends EngineStream implements OutboundRef {
    final PageBounds page;
    /** The engine's queue of stream timers (retransmission, outbox read retry). */
    private final TimerQueue<OutStream> timers;
    /** The bytes this stream holds count here if it is volatile (kept in memory only); null if it is durable. */
    private final VolatileBudget budget;
    /**
     * The shared log this stream reads (a channel reader, see {@link SharedLog}), or null: an outbox of its own. A
     * reader's numbers are the log's, its messages come from the log's window or, when it is behind the window, from
     * pages of the log read into its own cache, and its trims are the writes of its reader row.
     */
    final SharedLog log;
    /** A reader removed from its log: nothing of it is written or reported any more. */
    private boolean detached;
    /** Its receiver is this node ({@link LoopbackLinks}): no frames, no expiry here, the receiver writes its trims. */
    private boolean loopback;

    private OutLink link = OutLink.CLOSED;

    // Valid for the session (survives reconnects; rebuilt from the store after a restart).
    private long lastSeq;
    private long committedSeq;
    private long ackedSeq;
    private long settledSeq;
    private long trimmedSeq;
    private final long recoveredUpTo;
    private long transmittedUpTo;
    private final OutRing cache = new OutRing();
    private final ArrayDeque<PendingSend> pending = new ArrayDeque<>();
    /** Its sends' levels waiting for a batch, and its places in the engine's schedulers. */
    final StreamLevels levels = new StreamLevels();

    private boolean loading;
    /** When to pump again after a failed outbox read, or 0. */
    private long loadRetryAt;
    /** Messages that may expire here, at or below {@link #expiryFloor} no more; the engine schedules its deadlines. */
    final SenderExpiry expiry = new SenderExpiry();
    /** Messages dropped here to make room (DROP_OLDEST), and their stored record ({@link DroppedRows}). */
    final DroppedHere drops = new DroppedHere();
    /** Messages above {@link #ackedSeq} withdrawn by the application (cancelled calls); {@link Withdrawals#of}. */
    Withdrawals withdrawals = Withdrawals.NONE;

    // Valid for the connection.
    private long sentUpTo;
    private long receivedUpTo;
    private long creditSeq;
    private long rtoMillis;
    private long rtoDeadline;

    // Counters.
    private long sent;
    private long retransmitted;

    /** A stream recovered from the store ({@code lastSeq}, {@code ackedSeq}), or a new one (0, 0). */
    OutStream(StreamKey key, long lastSeq, long ackedSeq, PageBounds page, TimerQueue<OutStream> timers) {
        this(key, lastSeq, ackedSeq, page, null, null, timers);
    }

    /** A new volatile stream: every message stays in memory, counted in {@code budget}, until it is settled. */
    static OutStream volatileStream(StreamKey key, VolatileBudget budget, TimerQueue<OutStream> timers) {
        return new OutStream(key, 0, 0, PageBounds.unbounded(), budget, null, timers);
    }

    /**
     * A reader of {@code log} whose cursor is {@code ackedSeq}. Every message the log committed so far counts as
     * possibly transmitted before (the redelivery flag): an earlier process, or an earlier reader row of the same
     * reader, may have sent it.
     */
    static OutStream reader(
            StreamKey key, SharedLog log, long ackedSeq, PageBounds page, TimerQueue<OutStream> timers) {
        return new OutStream(key, log.committedSeq(), ackedSeq, page, null, log, timers);
    }

    private OutStream(
            StreamKey key,
            long lastSeq,
            long ackedSeq,
            PageBounds page,
            VolatileBudget budget,
            SharedLog log,
            TimerQueue<OutStream> timers) {
        super(key);
        this.timers = timers;
        this.page = page;
        this.budget = budget;
        this.log = log;
        this.lastSeq = lastSeq;
        this.committedSeq = lastSeq;
        this.ackedSeq = ackedSeq;
        this.settledSeq = ackedSeq;
        this.trimmedSeq = ackedSeq;
        this.recoveredUpTo = lastSeq;
        this.cache.resetTo(ackedSeq + 1);
        resetConnection(0);
    }

    /**
     * Queues this stream's timer at its earliest deadline (see {@link TimerQueue}); every change of a deadline goes
     * through here, and so does the engine after the timer fired.
     */
    void armTimer() {
        long at = Math.min(loadRetryAt == 0 ? Long.MAX_VALUE : loadRetryAt, withdrawals.resendAt()); // CANCELs
        if (rtoDeadline != 0 && link != OutLink.DIVERGED) at = Math.min(at, rtoDeadline);
        timers.arm(this, at);
    }

    private void rtoDeadline(long at) {
        rtoDeadline = at;
        if (at != 0) armTimer();
    }

    // ---- sends and store batches ---------------------------------------------------------------------

    void queue(PendingSend p) {
        pending.add(p);
        levels.add(p.level());
        if (budget != null) budget.add(FrameCodec.messageSize(p.headers(), p.payload().length));
    }

    /** Whether this stream is volatile: never stored, its sequence numbers valid for this process only. */
    boolean isVolatile() {
        return budget != null;
    }

    int pendingCount() {
        return pending.size();
    }

    /** Takes the oldest waiting send off the queue, for {@link #number}, or to drop it (DROP_OLDEST). */
    PendingSend nextPending() {
        PendingSend p = pending.poll();
        if (p != null) levels.remove(p.level());
        return p;
    }

    /** Assigns the next sequence number to {@code p}, accepted at {@code now}: the message to append. */
    StoredMessage number(PendingSend p, long now, SeqChecksums checksums) {
        // The message checksum is computed here, once, before the message is stored anywhere.
        return p.numbered(key, ++lastSeq, Math.max(0, now), checksums);
    }

    /**
     * {@code m}, appended by this process from a send of encoded size {@code size} and level {@code level} (size -1: a
     * channel's, for a reader), is durable: cache it if it fits (a reader's is in its log's window), track its deadline.
     * True if it was dropped while its batch was stored (settled now).
     */
    boolean committed(StoredMessage m, int size, int level) {
        committedSeq = m.seq();
        if (log == null && size >= 0) page.cacheSent(cache, m, size, level);
        else if (log == null) page.cache(cache, m, false);
        if (!loopback) expiry.track(m.expiresAtMillis(), m.seq()); // a loopback message expires at the receiver
        if (!drops.committed(m.seq())) return false;
        settleHere(m.seq());
        return true;
    }

    /** Makes this a loopback stream ({@link LoopbackLinks}), before anything is committed on it. */
    void loopback() {
        loopback = true;
    }

    boolean isLoopback() {
        return loopback;
    }

    /** Loopback: the receiving half's cursor {@code processed} is durable; true if that acknowledges more. */
    boolean loopbackAcked(long processed) {
        if (processed <= ackedSeq || processed > committedSeq) return false;
        ackUpTo(processed);
        return true;
    }

    /** The batches holding every number after {@code committedSeq} failed: those numbers are free again. */
    void appendsFailed() {
        lastSeq = committedSeq;
        drops.appendsFailed(committedSeq);
        withdrawals.appendsFailed(committedSeq);
    }

    /** Messages stored or waiting to be, neither taken care of by the receiver nor expired or dropped here. */
    @Override
    public long unacked() {
        return last() - settledSeq - expiry.settledAheadCount() - drops.waitingForCommit() + pending.size();
    }

    /** Whether the store still holds settled messages: a trim up to {@link #settledSeq()} is due. */
    boolean trimDue() {
        return settledSeq > trimmedSeq;
    }

    long settledSeq() {
        return settledSeq;
    }

    /** A trim up to {@code upTo} is durable. */
    void trimmed(long upTo) {
        trimmedSeq = Math.max(trimmedSeq, upTo);
    }

    // ---- paging --------------------------------------------------------------------------------------

    /** The last number assigned: a reader's is its log's. */
    private long last() {
        return log == null ? lastSeq : log.lastSeq();
    }

    /** A reader removed from its log: its writes and reports stop. */
    void detach() {
        detached = true;
    }

    boolean detached() {
        return detached;
    }

    /** Where the next page must start, if one should be read now; -1 if one is being read or the cache is full. */
    long pageToLoad() {
        if (loading || page.room() == 0) return -1;
        loading = true;
        return memLast() + 1;
    }

    int pageRoom() {
        return page.room();
    }

    /** A page read from the store, cached ({@link OutboxPage#cache}); returns the numbers of its damaged messages. */
    List<Long> loaded(Iterable<StoredMessage> messages) {
        loading = false;
        return OutboxPage.cache(messages, cache, log, committedSeq, page);
    }

    /** The read failed: nothing else may pump this stream again, so retry at {@code at} (from the tick). */
    void loadFailed(long at) {
        loading = false;
        loadRetryAt = at;
        armTimer();
    }

    /** Whether the retry of a failed read is due; clears it if so. */
    boolean loadRetryDue(long now) {
        if (loadRetryAt == 0 || now < loadRetryAt) return false;
        loadRetryAt = 0;
        return true;
    }

    /**
     * Messages {@code sentUpTo+1..memLast} are in memory: in this stream's cache and, for a reader, on from there in
     * its log's window.
     */
    long memLast() {
        long own = cache.nextSeq() - 1;
        // What the log trimmed before this reader took it goes out as DROPPED markers, which need no message.
        return log == null ? own : log.lastFrom(Math.max(own, log.trimmedSeq()) + 1);
    }

    /** A reader's log is trimmed up to {@code upTo}: the cache lets go of it, and pages continue after it. */
    void logTrimmed(long upTo) {
        page.removeUpTo(cache, upTo);
    }

    long messagesInMemory() {
        return cache.size() + pending.size();
    }

    // ---- the connection ------------------------------------------------------------------------------

    OutLink link() {
        return link;
    }

    /** The one place the link state changes; a transition the machine does not have is a bug in the engine. */
    private void become(OutLink next) {
        if (!link.mayBecome(next)) throw new IllegalStateException("stream " + key + ": link " + link + " -> " + next);
        link = next;
    }

    /** Forget everything that was valid only for the connection. */
    void resetConnection(long initialRto) {
        if (link != OutLink.DIVERGED) become(OutLink.CLOSED);
        sentUpTo = ackedSeq;
        receivedUpTo = ackedSeq;
        creditSeq = ackedSeq;
        rtoMillis = initialRto;
        rtoDeadline = 0;
    }

    /** The peer's HELLO arrived: an OPEN sent before it could hear us was lost. True if the stream must open. */
    boolean heardHello() {
        if (link == OutLink.OPENING) become(OutLink.CLOSED);
        return link == OutLink.CLOSED;
    }

    /** Whether an OPEN must go out now: not open on this connection, with messages to deliver. */
    boolean needsOpen() {
        return link == OutLink.CLOSED && committedSeq > ackedSeq;
    }

    /**
     * Whether the stream holds committed messages the receiver has not acknowledged and is not open on this
     * connection yet (nor stopped as diverged): its peer has not resumed.
     */
    boolean awaitsOpen() {
        return (link == OutLink.CLOSED || link == OutLink.OPENING) && committedSeq > ackedSeq;
    }

    /** OPEN went out as the opening of the stream; the timer runs until the ACK. */
    void opening(long now) {
        become(OutLink.OPENING);
        rtoDeadline(now + rtoMillis);
    }

    long ackedSeq() {
        return ackedSeq;
    }

    long committedSeq() {
        return committedSeq;
    }

    /**
     * The receiver reports {@code receivedSeq}, {@code processedSeq} (durable) and {@code creditSeq}. The first ACK
     * holding what the stream starts after opens it, after what the receiver holds; progress resets the RTO.
     */
    AckResult acked(long now, long receivedSeq, long processedSeq, long credit, long initialRto) {
        if (processedSeq > committedSeq || receivedSeq > committedSeq) {
            // Accepting it later, once new sends reach that number, would trim messages never sent.
            become(OutLink.DIVERGED);
            return AckResult.DIVERGED;
        }
        AckResult result = AckResult.OTHER;
        boolean progress = false;
        if (processedSeq > ackedSeq) {
            ackUpTo(processedSeq);
            result = AckResult.ACKED;
            progress = true;
        }
        // An ACK not holding what this stream starts after is older than the stream (a reader added again past the
        // receiver's cursor) or its connection: only the OPEN, whose ackedSeq moves the receiver up, may open it.
        if (link != OutLink.OPEN && receivedSeq < ackedSeq) return result;
        if (link != OutLink.OPEN) {
            become(OutLink.OPEN);
            sentUpTo = Math.max(ackedSeq, receivedSeq);
            progress = true;
        }
        long received = Math.max(ackedSeq, Math.min(receivedSeq, sentUpTo));
        if (received > receivedUpTo) progress = true;
        receivedUpTo = received;
        creditSeq = Math.max(creditSeq, credit);
        page.creditReaches(creditSeq - settledSeq);
        if (progress) {
            rtoMillis = initialRto;
            rtoDeadline(hasUnackedTransmissions() ? now + rtoMillis : 0);
        }
        return result;
    }

    private void ackUpTo(long seq) {
        ackedSeq = seq;
        if (sentUpTo < seq) sentUpTo = seq;
        if (receivedUpTo < seq) receivedUpTo = seq;
        if (creditSeq < seq) creditSeq = seq;
        settleUpTo(seq);
    }

    /** The receiver saw a gap before {@code fromSeq}: go back there at once. Ignored unless open. */
    boolean resendFrom(long fromSeq) {
        if (link != OutLink.OPEN) return false;
        long back = Math.max(ackedSeq, fromSeq - 1);
        if (back < sentUpTo) {
            retransmitted += sentUpTo - back;
            sentUpTo = back;
        }
        receivedUpTo = Math.min(receivedUpTo, back);
        return true;
    }

    /** Whether {@code seq} is committed here and not yet acknowledged: an OUTCOME for it is news. */
    boolean awaitsOutcome(long seq) {
        return seq <= committedSeq && seq > ackedSeq;
    }

    /** Whether the retransmission timer has fired; a diverged stream has none. */
    boolean timedOut(long now) {
        return link != OutLink.DIVERGED && rtoDeadline != 0 && now >= rtoDeadline;
    }

    /** The retransmission timer fired: says what to do, and doubles the timeout up to {@code maxRto}. */
    StreamTimeout timeout(long now, long maxRto) {
        StreamTimeout t;
        if (link != OutLink.OPEN) {
            become(OutLink.CLOSED);
            t = StreamTimeout.REOPEN;
        } else if (sentUpTo > receivedUpTo) {
            long back = Math.max(receivedUpTo, ackedSeq);
            retransmitted += sentUpTo - back;
            sentUpTo = back;
            t = StreamTimeout.GO_BACK;
        } else {
            t = StreamTimeout.PROBE;
        }
        rtoMillis = Math.min(rtoMillis * 2, maxRto);
        rtoDeadline(now + rtoMillis);
        return t;
    }

    // ---- transmission --------------------------------------------------------------------------------

    long sentUpTo() {
        return sentUpTo;
    }

    /** Messages may be transmitted up to here: committed, within credit, before a held withdrawal or drop. */
    long sendLimit() {
        long held = Math.min(withdrawals.holdLimit(sentUpTo), drops.holdLimit(sentUpTo));
        return Math.min(Math.min(committedSeq, creditSeq), held);
    }

    boolean hasUnackedTransmissions() {
        return ackedSeq < sentUpTo;
    }

    /**
     * The cached message {@code seq}, about to be transmitted; null if it expired here and is gone from the cache
     * and the store (at or below {@link #settledSeq}), so that only a marker can stand in for it.
     */
    OutRing toTransmit(long seq) {
        if (seq <= settledSeq) return null;
        if (cache.holds(seq)) return cache;
        return log != null && log.holds(seq) ? log.window() : null;
    }

    /**
     * How often this process transmitted message {@code seq} to the receiver: 0 if it did not, if the message is
     * settled, or on a reader of a shared log (whose messages count every reader's transmissions). Every unsettled
     * message transmitted is in the cache, which holds them from {@link #settledSeq} on.
     */
    int transmissions(long seq) {
        return log == null && seq > settledSeq && cache.holds(seq) ? cache.transmissions(seq) : 0;
    }

    /**
     * Whether message {@code seq} ({@code m} as {@link #toTransmit} returned it) was transmitted before. A shared
     * message of a reader's log counts every reader's transmissions, so a reader goes by its own highest one.
     */
    boolean transmittedBefore(long seq, OutRing m) {
        // A marker (m null) stands for a message gone from cache and store: transmitted before if the stream got there.
        return m == null || log != null ? seq <= transmittedUpTo : m.transmitted(seq);
    }

    /** Whether {@code seq} was stored by an earlier lifetime, which may have transmitted it. */
    boolean recovered(long seq) {
        return seq <= recoveredUpTo;
    }

    /**
     * {@code count} messages from {@code sentUpTo+1} went out in one frame. A stream that had nothing in flight
     * ({@code wasIdle}) starts its retransmission timer.
     */
    void transmitted(long now, int count, boolean wasIdle) {
        sentUpTo += count;
        sent += count;
        if (sentUpTo > transmittedUpTo) {
            transmittedUpTo = sentUpTo;
            expiry.compact(committedSeq - expiryFloor(), Math.max(expiryFloor(), settledSeq));
        }
        if (wasIdle) rtoDeadline(now + rtoMillis);
    }

    /**
     * Out of credit with nothing in flight (the ACK granting more was lost, or a stale one opened the stream):
     * probe on the timer for a fresh ACK, or the stream stalls for good.
     */
    void armProbeIfStalled(long now) {
        if (sentUpTo < committedSeq && rtoDeadline == 0) rtoDeadline(now + rtoMillis);
    }

    // ---- purge ---------------------------------------------------------------------------------------

    /**
     * An operator drops the committed, unacknowledged messages: they count as acknowledged (so the next trim deletes
     * them and the stored {@code ackedSeq}, which the next OPEN states, moves past them) and the stream closes on this
     * connection. Returns the last purged sequence number; nothing was purged if it is not above the {@link #ackedSeq}
     * before the call. Sends not yet committed are kept.
     */
    long purge(long initialRto) {
        if (committedSeq <= ackedSeq || link == OutLink.DIVERGED || budget != null) return ackedSeq;
        ackUpTo(committedSeq); // the next batch deletes the marks of withdrawn ones with the trim
        resetConnection(initialRto);
        return ackedSeq;
    }

    /** Withdraws {@code seq} ({@link Withdrawals}); false if the receiver need not be told of it. */
    boolean withdraw(long seq) {
        if (seq <= ackedSeq || seq > last()) return false;
        if (budget != null || log != null) return Withdrawals.of(this).add(seq, ackedSeq);
        return seq > settledSeq && Withdrawals.of(this).hold(seq);
    }

    // ---- expiry here ---------------------------------------------------------------------------------

    /**
     * Above this, no message can have been transmitted to the receiver: not by this process, and not by an
     * earlier one (which may have transmitted anything it stored).
     */
    private long expiryFloor() {
        return Math.max(recoveredUpTo, transmittedUpTo);
    }

    /**
     * The next message whose deadline passed by {@code now} and that was never transmitted; -1 when there is none.
     * Each one returned is settled as expired here: counted, and settled at once if it is the next one, else when
     * the ones before it are. A diverged stream expires nothing (its due deadlines are dropped).
     */
    long expireNext(long now) {
        long floor = link == OutLink.DIVERGED ? Long.MAX_VALUE : expiryFloor();
        long seq = expiry.next(now, floor, settledSeq);
        if (seq > 0) settleHere(seq);
        return seq;
    }

    /**
     * Drops the oldest numbered message never transmitted ({@link DroppedHere}): its number, or -1 if none or this
     * stream drops nothing (diverged, loopback, volatile, a reader). Sends waiting for a batch are the caller's.
     */
    long dropOldest() {
        if (link == OutLink.DIVERGED || loopback || budget != null || log != null) return -1;
        long first = Math.max(expiryFloor(), settledSeq) + 1;
        long seq = drops.dropOldest(first, lastSeq, committedSeq, ackedSeq, expiry::settledAhead);
        if (seq > 0 && seq <= committedSeq) settleHere(seq);
        return seq;
    }

    /** Whether {@code seq}, not acknowledged, was dropped here: a DROPPED marker stands in for it. */
    boolean droppedHere(long seq) {
        return seq > ackedSeq && drops.contains(seq);
    }

    /** {@code seq}, never transmitted, is settled here: now if it is the next one, else when the ones before are. */
    void settleHere(long seq) {
        if (seq == settledSeq + 1) settleUpTo(seq);
        else expiry.settleAhead(seq);
    }

    /** Everything up to {@code seq} is settled, and so are the messages expired here right after it. */
    private void settleUpTo(long seq) {
        long before = settledSeq;
        settledSeq = expiry.settledFrom(Math.max(settledSeq, seq));
        if (budget != null) budget.releaseSettled(cache, before + 1, settledSeq);
        page.removeUpTo(cache, settledSeq);
        if (settledSeq >= last()) page.idle(cache);
    }

    /**
     * Volatile only: the receiver's process that may hold the transmitted, unacknowledged messages is gone (its boot
     * id changed). They are not sent again (they may have been processed): each is settled as lost, and the new
     * process will be told with OPEN that the stream continues after them. Returns the first lost sequence number;
     * the lost ones are that up to {@link #ackedSeq()} (none if it is above).
     */
    long loseTransmitted() {
        long from = settledSeq + 1;
        if (transmittedUpTo > settledSeq) {
            ackUpTo(transmittedUpTo);
        }
        return from;
    }

    // ---- statistics ----------------------------------------------------------------------------------

    StreamStats stats() {
        return StreamStatsBuilder.outbound(key)
                .cursor(ackedSeq)
                .lastSeq(last())
                .queued(committedSeq - sentUpTo + pending.size())
                .inFlight(sentUpTo - ackedSeq)
                .sent(sent)
                .retransmitted(retransmitted)
                .expired(expiry.expired())
                .missed(log == null ? 0 : log.missed(key.peer()))
                .blocked(link == OutLink.DIVERGED)
                .build();
    }
}
