package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.CallKind;
import dev.tether.HandlerOptions;
import dev.tether.Outcome;
import dev.tether.internal.runtime.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The called side of a cancel that finds its call somewhere other than plainly waiting or running: parked for a
 * handler not registered yet, racing the handler's start, or of another incarnation of the caller.
 */
class WithdrawnCallTest {
    private final FakeHost host = new FakeHost();
    private final CallLayer layer = new CallLayer(host);

    private FakeDelivery call(String handler, long seq, boolean wait) {
        return FakeDelivery.of(
                "a", handler, seq, CallHeaders.call(Map.of(), handler, CallKind.REQUEST, wait), host.now + 5_000, host);
    }

    /** Routes and consumes {@code d} as the runtime would, without running what it posts. */
    private void consume(FakeDelivery d) {
        MessageConsumer c = layer.route(d.key, d.message);
        if (c.executor() == null) {
            c.consume(d);
        } else {
            c.executor().execute(() -> c.consume(d));
            host.runPool();
        }
    }

    @Test
    void aCancelledCallWaitingForItsHandlerIsSettledAndItsLaneMovesOn() {
        FakeDelivery parked = call("late", 7, true);
        consume(parked);
        host.runPosted();
        assertThat(layer.stats().waitingForHandler()).isEqualTo(1);

        layer.cancelled(parked.key, FakeDelivery.EPOCH, 7);
        host.runPosted();
        assertThat(parked.settled).isEqualTo("without"); // the run of its lane ends here: the next call comes
        assertThat(parked.outcome).isEqualTo(Outcome.CANCELLED);
        assertThat(layer.stats().waitingForHandler()).isZero();
        assertThat(layer.stats().cancelledBeforeStart()).isEqualTo(1);

        // the cancel came before the call was parked (parking is a task of its own on the node thread)
        FakeDelivery early = call("late", 8, true);
        consume(early);
        layer.cancelled(early.key, FakeDelivery.EPOCH, 8);
        host.runPosted();
        assertThat(early.outcome).isEqualTo(Outcome.CANCELLED);

        List<String> ran = new ArrayList<>();
        layer.handle("late", HandlerOptions.defaults().onNodeThread(), c -> {
            ran.add(c.lane() + "#" + c.seq());
            return null;
        });
        host.runPosted();
        assertThat(ran).isEmpty();
        assertThat(layer.stats().cancelledBeforeStart()).isEqualTo(2);
        assertThat(layer.stats().waitingForHandler()).isZero();
        assertThat(layer.entries()).containsEntry("cancels", 0);
    }

    @Test
    void aCancelOfAnEarlierIncarnationOfTheCallerNeitherSkipsNorStopsTheLaterOnesCall() {
        long later = FakeDelivery.EPOCH + 100; // the caller wiped its store: its calls are numbered from 1 again
        List<String> ran = new ArrayList<>();
        FakeDelivery[] running = new FakeDelivery[1];
        layer.handle("w", HandlerOptions.defaults(), c -> {
            if (running[0] != null) layer.cancelled(running[0].key, FakeDelivery.EPOCH, c.seq()); // not this one
            ran.add(c.seq() + (c.isCancelled() ? " cancelled" : ""));
            return null;
        });
        FakeDelivery old = call("w", 7, false);
        MessageConsumer c = layer.route(old.key, old.message);
        layer.cancelled(old.key, FakeDelivery.EPOCH, 7); // withdrawn in the earlier incarnation, never started
        FakeDelivery next = FakeDelivery.of(
                "a", "w", later, 7, CallHeaders.call(Map.of(), "w", CallKind.REQUEST, false), host.now + 5_000, host);
        running[0] = next;
        c.executor().execute(() -> c.consume(next));
        host.runPool();
        assertThat(ran).containsExactly("7");
        assertThat(next.settled).isEqualTo("ackWith");
        assertThat(layer.stats().cancelledBeforeStart() + layer.stats().cancelledWhileRunning())
                .isZero();

        layer.cancelled(next.key, later, 8); // the later incarnation's cancels replace the earlier one's
        assertThat(layer.entries()).containsEntry("cancels", 1);
    }

    /**
     * The cancel looks for the running call (not there yet), the call starts (it finds no cancel), the cancel is
     * recorded and looks again (finds the call), the call checks for a cancel that came meanwhile (finds it): only
     * one of the two may act and count.
     */
    @Test
    void aCancelRacingTheStartOfItsCallIsCountedOnce() {
        InterleavingMap running = new InterleavingMap();
        runWithCancelAtTheStart(running, cancel -> running.whenPut = cancel);
        assertThat(running.interleaved).isTrue();
    }

    /**
     * docs/MESSAGING.md, Cancellation: "A cancel that arrives while the handler is starting either prevents the start
     * or is seen by the running handler through isCancelled(); it never goes unnoticed by both, and it never does both:
     * it is counted once." Here the cancel runs whole (both of its looks for the running call) after the call passed
     * {@code Cancels.starting} and before it is registered as running.
     */
    @Test
    void aCancelBetweenTheStartCheckAndTheRunningRecordIsNotLost() {
        CancelFirst running = new CancelFirst();
        runWithCancelAtTheStart(running, cancel -> running.before = cancel);
    }

    /**
     * Runs a request to handler "w" whose cancel {@code arrange} hooks into the running calls' {@code put}; then
     * exactly one of the two acted and counted: the call saw the cancel, or it never ran and was reported cancelled.
     */
    private void runWithCancelAtTheStart(
            ConcurrentHashMap<Cancels.CallId, IncomingCall> running, Consumer<Runnable> arrange) {
        CallCounters counters = new CallCounters();
        Callee callee = new Callee(host, counters, new Cancels(running));
        callee.waiters(new HandlerWaiters(host));
        HandlerRegistry registry = new HandlerRegistry(Runnable::run, n -> {}, () -> {});
        boolean[] sawCancel = {false};
        int[] runs = {0};
        RegisteredHandler h = new RegisteredHandler(
                "w",
                c -> {
                    runs[0]++;
                    sawCancel[0] = c.isCancelled();
                    return null;
                },
                null,
                null,
                1,
                registry,
                callee);
        FakeDelivery d = call("w", 7, false);
        arrange.accept(() -> callee.cancelled(d.key, FakeDelivery.EPOCH, 7));
        callee.run(h, d);

        assertThat(counters.cancelledBeforeStart.get() + counters.cancelledWhileRunning.get())
                .as("cancel outcomes of one call")
                .isEqualTo(1);
        if (runs[0] == 1)
            assertThat(sawCancel[0])
                    .as("a call that ran after its cancel sees it")
                    .isTrue();
        else assertThat(d.outcome).isEqualTo(Outcome.CANCELLED);
        assertThat(callee.cancels().notStarted()).isZero();
    }

    /** Running calls: the first put runs {@link #before} (the whole cancel) before the call becomes visible. */
    private static final class CancelFirst extends ConcurrentHashMap<Cancels.CallId, IncomingCall> {
        private static final long serialVersionUID = 1L;
        transient Runnable before;

        @Override
        public IncomingCall put(Cancels.CallId key, IncomingCall call) {
            Runnable r = before;
            before = null;
            if (r != null) r.run();
            return super.put(key, call);
        }
    }

    /**
     * The running calls of a {@link Cancels}: when the call is put, {@link #whenPut} runs first (the cancel), and the
     * call becomes visible at the cancel's second look.
     */
    private static final class InterleavingMap extends ConcurrentHashMap<Cancels.CallId, IncomingCall> {
        private static final long serialVersionUID = 1L;
        transient Runnable whenPut;
        transient boolean interleaved;
        private transient Cancels.CallId puttingKey;
        private transient IncomingCall putting;
        private transient int looks;

        @Override
        public IncomingCall put(Cancels.CallId key, IncomingCall call) {
            Runnable r = whenPut;
            whenPut = null;
            if (r != null) {
                puttingKey = key;
                putting = call;
                r.run();
                putting = null;
            }
            return super.put(key, call);
        }

        @Override
        public IncomingCall get(Object key) {
            if (putting != null && ++looks == 2) {
                super.put(puttingKey, putting);
                interleaved = true;
            }
            return super.get(key);
        }
    }
}
