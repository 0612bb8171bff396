package dev.tether.testkit.sim;

import dev.tether.testkit.sim.CheckReport.Kind;
import dev.tether.testkit.sim.HistoryEvent.Accepted;
import dev.tether.testkit.sim.HistoryEvent.Acked;
import dev.tether.testkit.sim.HistoryEvent.AheadStored;
import dev.tether.testkit.sim.HistoryEvent.Anomaly;
import dev.tether.testkit.sim.HistoryEvent.CancelRequested;
import dev.tether.testkit.sim.HistoryEvent.CancelledInRun;
import dev.tether.testkit.sim.HistoryEvent.Committed;
import dev.tether.testkit.sim.HistoryEvent.ConcurrentLanes;
import dev.tether.testkit.sim.HistoryEvent.Crashed;
import dev.tether.testkit.sim.HistoryEvent.CursorCommitted;
import dev.tether.testkit.sim.HistoryEvent.DeadLettered;
import dev.tether.testkit.sim.HistoryEvent.Delivered;
import dev.tether.testkit.sim.HistoryEvent.DeliveredInGeneration;
import dev.tether.testkit.sim.HistoryEvent.DroppedAtSender;
import dev.tether.testkit.sim.HistoryEvent.Expired;
import dev.tether.testkit.sim.HistoryEvent.Published;
import dev.tether.testkit.sim.HistoryEvent.ReaderRow;
import dev.tether.testkit.sim.HistoryEvent.Rejected;
import dev.tether.testkit.sim.HistoryEvent.Resynced;
import dev.tether.testkit.sim.HistoryEvent.SendExpired;
import dev.tether.testkit.sim.HistoryEvent.Sent;
import dev.tether.testkit.sim.HistoryEvent.Stopped;
import dev.tether.testkit.sim.HistoryEvent.Stuck;
import dev.tether.testkit.sim.HistoryEvent.Withdrawn;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides from a simulation history whether Tether kept its guarantees (DESIGN.md section 2), per stream
 * (sender, receiver, lane):
 *
 * <ul>
 *   <li><b>lost</b>: a message whose append was committed by its sender but that was never processed,
 *       expired (by the receiver, or by the sender before transmitting it) or dead-lettered by the end; or one
 *       that was expired before its deadline, dead-lettered without ever failing, skipped by a receiver's
 *       resync, or acknowledged to its sender (or covered by a committed receiver cursor) before it was taken
 *       care of;
 *   <li><b>duplicated</b>: a message delivered again after it was processed successfully, with no receiver
 *       crash in between, or delivered again without the redelivery flag, or delivered again at all after
 *       the receiver committed its cursor past it ({@link CursorCommitted}, where the history records it).
 *       So the only duplicate allowed is AUTO/MANUAL ack's documented at-least-once window: the receiver
 *       crashed after its application processed the message but before the cursor commit, and the second
 *       delivery is flagged as a redelivery;
 *   <li><b>reordered</b>: first deliveries of a stream not in increasing sequence order, or a message
 *       delivered (or expired, or dead-lettered) while an earlier committed one was not yet taken care of;
 *   <li><b>phantom</b>: a delivered, expired or dead-lettered message its sender never committed (or
 *       committed with other content under that sequence number);
 *   <li><b>anomaly</b>: {@link Anomaly} events, accepted sends that do not match a commit, reused sequence
 *       numbers;
 *   <li><b>liveness</b>: a {@link Stuck} event, or a send never answered by an incarnation that did not
 *       crash;
 *   <li><b>late</b>: a message handed to the application at or after its deadline (its time to live ran out
 *       before; it must be expired instead).
 * </ul>
 *
 * <p>Channels are checked by {@link ChannelRules} through the same streams: each reader gets every message published
 * after its join, once, in order per publisher, as if each publish had been committed on the stream (publisher,
 * reader, channel lane) of every reader whose row started before it, except messages the reader reported missed
 * ({@link HistoryEvent.Missed}: the publisher's retention deleted them first), which are settled unprocessed, in order;
 * per join generation of a reader where the history records it ({@link DeliveredInGeneration}): see ChannelRules.
 *
 * <p>Messages between endpoints ({@link HistoryEvent.AgentSent}) are checked further by {@link AgentRules}: each pair
 * of endpoints in its sending endpoint's order, each message handed to its addressee as coming from its sender.
 *
 * <p>Requests (calls with a reply) are checked further by {@link CallRules}: at most one committed reply per request
 * (executed at most once per committed reply), never a request acknowledged without its reply, each caller's future
 * completed exactly once.
 *
 * <p><b>Concurrent handlers</b> ({@link ConcurrentLanes}: on the application lanes, up to a limit of messages of a
 * stream run at once): first deliveries (starts) stay in stream order, but a message may start while earlier ones of
 * its stream are still running: each of those must have started before, and fewer than the limit of them may be
 * unsettled. A message whose completion ahead was stored ({@link AheadStored}) must never be handed out again, also
 * after crashes (<b>duplicated</b>); the other rules hold unchanged, so one completed but not yet stored may come again
 * only after a crash or stop, flagged.
 *
 * <p><b>Cancellation</b> ({@link CancelRequested}): a withdrawn request need not be taken care of any more (the receiver
 * settles it as cancelled without handing it out, which it does not always report), so from then on it is not owed,
 * and acknowledgments and later deliveries may pass it; it may still be processed, once, if the receiver had started it.
 * A receiver's {@link CancelledInRun} without a cancellation before it is <b>lost</b>, and so is a cancelled
 * settlement ({@link Withdrawn}) the sender was told of without one; a message handed out after its sender learnt it
 * was withdrawn is <b>duplicated</b> (it was settled, and its settlement committed, before that). A history cannot tell
 * a call that started before its withdrawal arrived from one whose lost CANCEL was never sent again; the simulation
 * checks the latter as it runs ({@link CancelResends}).
 *
 * <p><b>Drops at the sender</b> ({@link DroppedAtSender}, overflow policy DROP_OLDEST): the message is settled, in no
 * order (like an expiry at the sender); handed out before the drop was reported it is an <b>anomaly</b> (only a message
 * never transmitted may be dropped), and handed out after it, by any incarnation of either side, <b>duplicated</b>:
 * the sender was told it would never be processed.
 *
 * <p>"Taken care of" means processed successfully, expired or dead-lettered. A receiver crash or clean stop
 * ({@link Stopped}) allows its application to see a message again, flagged as a redelivery; only a crash excuses
 * a send left unanswered. A delivery without the flag of a message handed
 * out before (by any incarnation, successfully or not) is always a violation: that is what lets applications
 * skip idempotency checks for unflagged deliveries.
 *
 * <p>The totals also measure the flag's precision: {@code redelivered} (flagged deliveries) splits into {@code
 * redeliveredTruly} (handed out before) and {@code redeliveredNeedlessly} (never before; allowed, but the
 * application runs checks it could have skipped), and {@code redeliveredNeedlesslyUncrashed} counts the
 * needless flags of receivers that had not crashed yet.
 */
public final class HistoryChecker {
    private HistoryChecker() {}

    record Stream(String sender, String receiver, String lane) {
        @Override
        public String toString() {
            return sender + "->" + receiver + "/" + lane;
        }
    }

    static final class StreamState {
        final TreeMap<Long, Committed> committed = new TreeMap<>();
        /** Committed sequence numbers not yet taken care of. */
        final TreeSet<Long> unsettled = new TreeSet<>();
        /** Highest sequence number delivered for the first time. */
        long lastFirstDelivery;
        /** Highest cursor the receiver committed ({@link CursorCommitted}); 0 if none recorded. */
        long committedCursor;
    }

    /** Deliveries of one message to one receiver. */
    private static final class Deliveries {
        int count;
        int failures;
        /** The receiver's crash count at the last successful processing, or -1. */
        int okAtCrash = -1;
    }

    private record Token(String node, long token) {}

    private record PendingSend(Sent sent, int crashesAtSend) {}

    private record MessageKey(Stream stream, long seq) {}

    /** Checks {@code history}; the report lists every violation found. */
    public static CheckReport check(List<HistoryEvent> history) {
        return new Run().check(history);
    }

    private static final class Run {
        final Map<String, Long> totals = new LinkedHashMap<>();
        final CheckReport report;
        final Map<Stream, StreamState> streams = new LinkedHashMap<>();
        final Map<MessageKey, Deliveries> deliveries = new HashMap<>();
        /** Crashes per node: sends given to a crashed incarnation may stay unanswered. */
        final Map<String, Integer> crashes = new HashMap<>();
        /** Ends of a lifetime per node, crashes and clean stops: after one, a handled message may come again. */
        final Map<String, Integer> lifetimes = new HashMap<>();

        /** How many messages of a stream run at once on the application lanes ({@link ConcurrentLanes}). */
        int concurrency = 1;
        /** Messages completed ahead whose marker is stored: never handed out again. */
        final Set<MessageKey> aheadStored = new HashSet<>();
        /** Requests their caller cancelled: not owed any more. */
        final Set<MessageKey> cancelled = new HashSet<>();
        /** Messages their sender learnt were settled as withdrawn: never handed out (again). */
        final Set<MessageKey> withdrawn = new HashSet<>();
        /** Messages their sender was told it dropped (DROP_OLDEST): never handed out. */
        final Set<MessageKey> dropped = new HashSet<>();

        final Map<Token, PendingSend> pendingSends = new LinkedHashMap<>();
        final Map<Token, Sent> sends = new HashMap<>();
        final ChannelRules channels;

        Run() {
            for (String t : List.of(
                    "sent",
                    "committed",
                    "delivered",
                    "processed",
                    "redelivered",
                    "redeliveredTruly",
                    "redeliveredNeedlessly",
                    "redeliveredNeedlesslyUncrashed",
                    "expired",
                    "expiredAtSender",
                    "resyncs",
                    "deadLettered",
                    "crashes",
                    "stops")) {
                totals.put(t, 0L);
            }
            report = new CheckReport(totals);
            channels = new ChannelRules(report, this::count, this::stream, this::committed);
        }

        CheckReport check(List<HistoryEvent> history) {
            CallRules calls = new CallRules(report, this::count);
            AgentRules agents = new AgentRules(report, this::count);
            for (HistoryEvent e : history) {
                calls.observe(e);
                if (e instanceof Sent s) sent(s);
                else if (e instanceof Published p) channels.published(p);
                else if (e instanceof ReaderRow r) channels.readerRow(r);
                else if (e instanceof Accepted a && channels.isPublish(a)) {
                    pendingSends.remove(new Token(a.node(), a.token()));
                    channels.accepted(a, sends.get(new Token(a.node(), a.token())));
                } else if (e instanceof Committed c) {
                    committed(c);
                    agents.committed(c);
                } else if (e instanceof HistoryEvent.AgentSent a) agents.sent(a);
                else if (e instanceof HistoryEvent.AgentDelivered a) agents.delivered(a);
                else if (e instanceof Accepted a) accepted(a);
                else if (e instanceof Rejected r) {
                    count("rejected");
                    pendingSends.remove(new Token(r.node(), r.token()));
                } else if (e instanceof DeliveredInGeneration g) channels.generation(g);
                else if (e instanceof Delivered d) delivered(d);
                else if (e instanceof Expired x) expired(x);
                else if (e instanceof HistoryEvent.Missed x) missed(x);
                else if (e instanceof SendExpired x) sendExpired(x);
                else if (e instanceof Resynced r) resynced(r);
                else if (e instanceof DeadLettered d) deadLettered(d);
                else if (e instanceof Acked a) acked(a);
                else if (e instanceof CursorCommitted c) cursorCommitted(c);
                else if (e instanceof ConcurrentLanes c) concurrency = c.limit();
                else if (e instanceof AheadStored a) aheadStored(a);
                else if (e instanceof CancelRequested c) cancelRequested(c);
                else if (e instanceof CancelledInRun c) cancelledInRun(c);
                else if (e instanceof Withdrawn w) withdrawn(w);
                else if (e instanceof DroppedAtSender x) droppedAtSender(x);
                else if (e instanceof Crashed c) {
                    crashes.merge(c.node(), 1, Integer::sum);
                    lifetimes.merge(c.node(), 1, Integer::sum);
                    count("crashes");
                } else if (e instanceof Stopped st) {
                    lifetimes.merge(st.node(), 1, Integer::sum);
                    count("stops");
                } else if (e instanceof Anomaly a) {
                    report.add(Kind.ANOMALY, "t=" + a.time() + " " + a.node() + ": " + a.description());
                } else if (e instanceof Stuck s) {
                    report.add(Kind.LIVENESS, "t=" + s.time() + " stuck: not drained: " + s.details());
                }
            }
            finish();
            calls.finish();
            return report;
        }

        /** What must hold at the end: every committed message taken care of, every send answered. */
        private void finish() {
            for (var e : streams.entrySet()) {
                for (long seq : e.getValue().unsettled) {
                    Committed c = e.getValue().committed.get(seq);
                    report.add(
                            Kind.LOST,
                            "msg " + c.msgId() + " = " + e.getKey() + "#" + seq + " committed at t=" + c.time()
                                    + " was never processed, expired or dead-lettered");
                }
            }
            for (PendingSend p : pendingSends.values()) {
                if (crashes.getOrDefault(p.sent().node(), 0) == p.crashesAtSend()) {
                    report.add(Kind.LIVENESS, "send " + p.sent() + " was never accepted or rejected");
                }
            }
        }

        void count(String total) {
            totals.merge(total, 1L, Long::sum);
        }

        StreamState stream(Stream s) {
            return streams.computeIfAbsent(s, k -> new StreamState());
        }

        void sent(Sent s) {
            count("sent");
            Token t = new Token(s.node(), s.token());
            sends.put(t, s);
            pendingSends.put(t, new PendingSend(s, crashes.getOrDefault(s.node(), 0)));
        }

        void committed(Committed c) {
            count("committed");
            StreamState st = stream(new Stream(c.sender(), c.receiver(), c.lane()));
            Committed before = st.committed.putIfAbsent(c.seq(), c);
            if (before != null) {
                report.add(Kind.ANOMALY, "t=" + c.time() + " seq reused: " + before + " then " + c);
                return;
            }
            st.unsettled.add(c.seq());
        }

        void accepted(Accepted a) {
            Token t = new Token(a.node(), a.token());
            pendingSends.remove(t);
            Sent s = sends.get(t);
            StreamState st = streams.get(new Stream(a.node(), a.to(), a.lane()));
            Committed c = st == null ? null : st.committed.get(a.seq());
            if (s == null
                    || c == null
                    || c.msgId() != s.msgId()
                    || !s.to().equals(a.to())
                    || !s.lane().equals(a.lane())) {
                report.add(
                        Kind.ANOMALY, "t=" + a.time() + " " + a + " does not match its send " + s + " / commit " + c);
            }
        }

        /** The commit of (stream, seq), or null after reporting a phantom. */
        Committed committedOrPhantom(Stream s, StreamState st, long seq, long msgId, HistoryEvent e) {
            Committed c = st.committed.get(seq);
            if (c == null) {
                report.add(Kind.PHANTOM, s + "#" + seq + " was never committed by its sender: " + e);
                return null;
            }
            if (msgId >= 0 && c.msgId() != msgId) {
                report.add(
                        Kind.PHANTOM, s + "#" + seq + " was committed as msg " + c.msgId() + " but delivered as " + e);
                return null;
            }
            return c;
        }

        /** Reports a gap if a committed message before {@code seq} is not taken care of yet. */
        void checkNoGap(Stream s, StreamState st, long seq, HistoryEvent e) {
            if (!st.unsettled.isEmpty() && st.unsettled.first() < seq) {
                report.add(
                        Kind.REORDERED,
                        "gap: " + e + " while " + s + "#" + st.unsettled.first() + " (msg "
                                + st.committed.get(st.unsettled.first()).msgId()
                                + ") was neither processed, expired nor dead-lettered");
            }
        }

        void delivered(Delivered d) {
            count("delivered");
            if (d.redelivery()) count("redelivered");
            if (d.ok()) count("processed");
            Stream s = new Stream(d.sender(), d.receiver(), d.lane());
            if (ChannelRules.isChannelLane(d.lane())) count("deliveredOnChannels");
            StreamState st = stream(s);
            Committed c = committedOrPhantom(s, st, d.seq(), d.msgId(), d);
            if (c != null && c.expiresAt() != 0 && d.time() >= c.expiresAt()) {
                report.add(Kind.LATE, "handed to the application at or after its deadline " + c.expiresAt() + ": " + d);
            }

            Deliveries dv = deliveries.computeIfAbsent(new MessageKey(s, d.seq()), k -> new Deliveries());
            int crashCount = lifetimes.getOrDefault(d.receiver(), 0);
            if (d.redelivery()) countPrecision(dv, crashCount);
            if (dv.count > 0 && !d.redelivery()) {
                report.add(Kind.DUPLICATED, "delivered again without the redelivery flag: " + d);
            }
            // A reader that left and joined again is moved past its earlier messages by its new reader row (no
            // resync), while a run handed out before it left may still be processed: not a duplicate if of an ended
            // generation and above the cursor the reader had committed by itself (ChannelRules); where the history
            // does not say the generation, if it is the first delivery. Processed twice in a lifetime is caught below.
            Boolean passed = ChannelRules.isChannelLane(d.lane()) ? channels.passedByJoinAgain(d) : Boolean.FALSE;
            boolean rejoinedPast = passed == null ? dv.count == 0 : passed;
            if (d.seq() <= st.committedCursor && !rejoinedPast) {
                report.add(
                        Kind.DUPLICATED,
                        "delivered again after the receiver committed its cursor at #" + st.committedCursor + ": " + d);
            } else if (dv.okAtCrash == crashCount) {
                report.add(
                        Kind.DUPLICATED,
                        "delivered again after it was processed, although " + d.receiver() + " did not crash or stop: "
                                + d);
            }
            if (d.ok()) dv.okAtCrash = crashCount;
            else dv.failures++;
            if (dv.count == 0) {
                if (d.seq() <= st.lastFirstDelivery) {
                    report.add(
                            Kind.REORDERED,
                            "first delivery of " + s + "#" + d.seq() + " after first delivery of #"
                                    + st.lastFirstDelivery + ": " + d);
                }
                st.lastFirstDelivery = Math.max(st.lastFirstDelivery, d.seq());
            }
            dv.count++;
            if (concurrency > 1 && !d.lane().startsWith("_")) checkStartedInOrder(s, st, d);
            else checkNoGap(s, st, d.seq(), d);
            if (d.ok()) st.unsettled.remove(d.seq());
            MessageKey k = new MessageKey(s, d.seq());
            if (aheadStored.contains(k)) {
                report.add(Kind.DUPLICATED, "handed out again after its completion ahead was stored: " + d);
            }
            if (withdrawn.contains(k)) {
                report.add(Kind.DUPLICATED, "handed out after its sender learnt it was withdrawn: " + d);
            }
            if (dropped.contains(k)) {
                report.add(Kind.DUPLICATED, "handed out after its sender was told it was dropped: " + d);
            }
        }

        /**
         * A concurrent handler's start: the earlier messages not taken care of yet must all have started before (they
         * are running, or failed while this one was starting), fewer of them than the limit.
         */
        void checkStartedInOrder(Stream s, StreamState st, Delivered d) {
            java.util.SortedSet<Long> earlier = st.unsettled.headSet(d.seq());
            for (long seq : earlier) {
                Deliveries dv = deliveries.get(new MessageKey(s, seq));
                if (dv == null || dv.count == 0) {
                    report.add(Kind.REORDERED, "gap: " + d + " started while " + s + "#" + seq + " never had");
                    return;
                }
            }
            if (earlier.size() >= concurrency) {
                report.add(
                        Kind.REORDERED,
                        d + " started while " + earlier.size() + " earlier messages were running, limit "
                                + concurrency);
            }
        }

        void aheadStored(AheadStored a) {
            count("aheadStored");
            aheadStored.add(new MessageKey(new Stream(a.sender(), a.receiver(), a.lane()), a.seq()));
        }

        /** A cancelled request is not owed any more (best effort: it may still be processed, once). */
        void cancelRequested(CancelRequested c) {
            count("cancelRequested");
            Stream s = new Stream(c.sender(), c.receiver(), c.lane());
            cancelled.add(new MessageKey(s, c.seq()));
            stream(s).unsettled.remove(c.seq());
        }

        void cancelledInRun(CancelledInRun c) {
            count("cancelledInRun");
            Stream s = new Stream(c.sender(), c.receiver(), c.lane());
            StreamState st = stream(s);
            committedOrPhantom(s, st, c.seq(), -1, c);
            if (!cancelled.contains(new MessageKey(s, c.seq()))) {
                report.add(Kind.LOST, "settled as cancelled although its sender never cancelled it: " + c);
            }
            checkNoGap(s, st, c.seq(), c);
        }

        void withdrawn(Withdrawn w) {
            count("withdrawn");
            MessageKey k = new MessageKey(new Stream(w.sender(), w.receiver(), w.lane()), w.seq());
            if (!cancelled.contains(k)) {
                report.add(Kind.LOST, "settled as withdrawn although its sender never cancelled it: " + w);
            }
            withdrawn.add(k);
        }

        /**
         * Precision of the redelivery flag: a flagged delivery is true if the message was handed out before, else
         * needless (allowed, but the application then runs idempotency checks it could have skipped); needless
         * flags of a receiver that never crashed so far are counted separately.
         */
        void countPrecision(Deliveries dv, int receiverCrashes) {
            if (dv.count > 0) {
                count("redeliveredTruly");
            } else {
                count("redeliveredNeedlessly");
                if (receiverCrashes == 0) count("redeliveredNeedlesslyUncrashed");
            }
        }

        void expired(Expired x) {
            count("expired");
            Stream s = new Stream(x.sender(), x.receiver(), x.lane());
            StreamState st = stream(s);
            Committed c = committedOrPhantom(s, st, x.seq(), -1, x);
            if (c != null && (c.expiresAt() == 0 || x.time() < c.expiresAt())) {
                report.add(Kind.LOST, "expired before its deadline " + c.expiresAt() + ": " + x);
            }
            checkNoGap(s, st, x.seq(), x);
            st.unsettled.remove(x.seq());
        }

        /**
         * A reader reported channel messages missed (the publisher's retention deleted them first): each is settled,
         * in order like any skipped message, and never owed again. Missed messages reported are the only ones a reader
         * may lack (ChannelRules).
         */
        void missed(HistoryEvent.Missed x) {
            Stream s = new Stream(x.sender(), x.receiver(), x.lane());
            StreamState st = stream(s);
            for (long seq = x.fromSeq(); seq <= x.toSeq(); seq++) {
                count("missedByRetention");
                committedOrPhantom(s, st, seq, -1, x);
                checkNoGap(s, st, seq, x);
                // Processed by an earlier lifetime of the reader, whose crash lost the cursor, and gone from the log
                // since: missed after all. Processed by this lifetime: it never needed a marker.
                Deliveries dv = deliveries.get(new MessageKey(s, seq));
                if (dv != null && dv.okAtCrash == lifetimes.getOrDefault(x.receiver(), 0)) {
                    report.add(Kind.ANOMALY, "reported missed after this reader process processed it: " + x);
                }
                st.unsettled.remove(seq);
            }
        }

        /** The sender expired a message it never transmitted: at or after its deadline, never handed out. */
        void sendExpired(SendExpired x) {
            count("expiredAtSender");
            Stream s = new Stream(x.sender(), x.receiver(), x.lane());
            StreamState st = stream(s);
            Committed c = committedOrPhantom(s, st, x.seq(), -1, x);
            if (c != null && (c.expiresAt() == 0 || x.time() < c.expiresAt())) {
                report.add(Kind.LOST, "expired at the sender before its deadline " + c.expiresAt() + ": " + x);
            }
            Deliveries dv = deliveries.get(new MessageKey(s, x.seq()));
            if (dv != null && dv.count > 0) {
                report.add(Kind.ANOMALY, "expired at the sender after the receiver's application got it: " + x);
            }
            st.unsettled.remove(x.seq()); // no gap rule: the sender expires a message whatever is before it
        }

        /** The sender dropped a message it never transmitted (DROP_OLDEST): settled, never to be handed out. */
        void droppedAtSender(DroppedAtSender x) {
            count("droppedAtSender");
            Stream s = new Stream(x.sender(), x.receiver(), x.lane());
            StreamState st = stream(s);
            committedOrPhantom(s, st, x.seq(), -1, x);
            MessageKey k = new MessageKey(s, x.seq());
            Deliveries dv = deliveries.get(k);
            if (dv != null && dv.count > 0) {
                report.add(Kind.ANOMALY, "dropped at the sender after the receiver's application got it: " + x);
            }
            dropped.add(k);
            st.unsettled.remove(x.seq()); // no gap rule: the sender drops a message whatever is before it
        }

        /** A receiver skipped to {@code cursor}: only what was already taken care of may be skipped. */
        void resynced(Resynced r) {
            count("resyncs");
            Stream s = new Stream(r.sender(), r.receiver(), r.lane());
            StreamState st = stream(s);
            if (!st.unsettled.isEmpty() && st.unsettled.first() <= r.cursor()) {
                report.add(
                        Kind.LOST,
                        "resync skipped " + s + "#" + st.unsettled.first() + ", which was never taken care of: " + r);
            }
        }

        void deadLettered(DeadLettered d) {
            count("deadLettered");
            Stream s = new Stream(d.sender(), d.receiver(), d.lane());
            StreamState st = stream(s);
            committedOrPhantom(s, st, d.seq(), -1, d);
            Deliveries dv = deliveries.get(new MessageKey(s, d.seq()));
            if (dv == null || dv.failures == 0) {
                report.add(Kind.LOST, "dead-lettered although its handler never failed: " + d);
            }
            checkNoGap(s, st, d.seq(), d);
            st.unsettled.remove(d.seq());
        }

        void cursorCommitted(CursorCommitted c) {
            Stream s = new Stream(c.sender(), c.receiver(), c.lane());
            StreamState st = stream(s);
            if (!st.unsettled.isEmpty() && st.unsettled.first() <= c.upTo()) {
                report.add(
                        Kind.LOST,
                        "premature cursor: " + c + " while " + s + "#" + st.unsettled.first()
                                + " was not taken care of by the receiver");
            }
            st.committedCursor = Math.max(st.committedCursor, c.upTo());
        }

        void acked(Acked a) {
            Stream s = new Stream(a.sender(), a.receiver(), a.lane());
            StreamState st = stream(s);
            if (!st.unsettled.isEmpty() && st.unsettled.first() <= a.upTo()) {
                report.add(
                        Kind.LOST,
                        "premature ack: " + a + " while " + s + "#" + st.unsettled.first()
                                + " was not taken care of by the receiver");
            }
            if (!st.committed.isEmpty() && a.upTo() > st.committed.lastKey()
                    || st.committed.isEmpty() && a.upTo() > 0) {
                report.add(Kind.ANOMALY, "ack beyond the last committed message: " + a);
            }
        }
    }
}
