package dev.tether.internal.call;

import dev.tether.CallStats;
import java.util.concurrent.atomic.AtomicLong;

/** The counters behind {@link CallStats}; updated from any thread. */
final class CallCounters {
    final AtomicLong callsSent = new AtomicLong();
    final AtomicLong repliesMatched = new AtomicLong();
    final AtomicLong repliesDropped = new AtomicLong();
    final AtomicLong deadlinesExceeded = new AtomicLong();
    final AtomicLong callsHandled = new AtomicLong();
    final AtomicLong handlerFailures = new AtomicLong();
    final AtomicLong noSuchHandler = new AtomicLong();
    final AtomicLong invalidCalls = new AtomicLong();
    final AtomicLong volatileLost = new AtomicLong();
    final AtomicLong callsCancelled = new AtomicLong();
    final AtomicLong cancelledBeforeStart = new AtomicLong();
    final AtomicLong cancelledWhileRunning = new AtomicLong();

    CallStats snapshot(long pendingCalls, long waitingForHandler) {
        return new CallStats(
                callsSent.get(),
                repliesMatched.get(),
                repliesDropped.get(),
                deadlinesExceeded.get(),
                pendingCalls,
                callsHandled.get(),
                handlerFailures.get(),
                noSuchHandler.get(),
                waitingForHandler,
                invalidCalls.get(),
                volatileLost.get(),
                callsCancelled.get(),
                cancelledBeforeStart.get(),
                cancelledWhileRunning.get());
    }
}
