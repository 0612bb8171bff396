package dev.tether.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.CallKind;
import dev.tether.Outcome;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * docs/MESSAGING.md, Cancellation: "A cancel that arrives while the handler is starting either prevents the start or is
 * seen by the running handler through isCancelled(); it never goes unnoticed by both, and it never does both: it is
 * counted once." The interleaving WithdrawnCallTest does not cover: the cancel runs whole (both of its looks for the
 * running call) after the call passed {@code Cancels.starting} and before it is registered as running.
 */
class CancelBeforeRunningTest {
    private final FakeHost host = new FakeHost();

    @Test
    void aCancelBetweenTheStartCheckAndTheRunningRecordIsNotLost() {
        CancelFirst running = new CancelFirst();
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
        FakeDelivery d = FakeDelivery.of(
                "a", "w", 7, CallHeaders.call(Map.of(), "w", CallKind.REQUEST, false), host.now + 5_000, host);
        running.before = () -> callee.cancelled(d.key, FakeDelivery.EPOCH, 7);
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
}
