package dev.tether;

/**
 * Counters of named-handler calls on one node, part of {@link NodeStats}. Caller side: {@code callsSent} (sync and
 * request calls, not tells), {@code repliesMatched}, {@code repliesDropped} (a reply that came after its call's
 * deadline, after the caller gave up on it, or for a call this process does not know, such as one made before a
 * restart), {@code deadlinesExceeded}, {@code pendingCalls} (waiting for a reply now). Handler side: {@code
 * callsHandled} (handler invocations that returned or threw), {@code handlerFailures} (those that threw), {@code
 * noSuchHandler} (calls answered with {@link NoSuchHandlerException} or {@link Outcome#NO_SUCH_HANDLER}), {@code
 * waitingForHandler} (calls waiting for their handler now), {@code invalidCalls} (messages whose call headers were
 * malformed: dropped, and reported as {@link TetherEvent.ProtocolError}); {@code volatileLost} (volatile calls that
 * failed with {@link VolatileLostException}). Cancellation: {@code callsCancelled} (calls whose future the
 * application cancelled while it waited: withdrawn at the called node), {@code cancelledBeforeStart} (calls to this
 * node's handlers withdrawn after they reached the node's delivery but before their handler started: never run;
 * those withdrawn earlier are settled by the protocol without reaching the handlers and are not counted here), {@code
 * cancelledWhileRunning} (calls withdrawn while their handler ran: {@code isCancelled()} turned true and the {@code
 * onCancel} actions ran). Counters start at zero with each process.
 */
public record CallStats(
        long callsSent,
        long repliesMatched,
        long repliesDropped,
        long deadlinesExceeded,
        long pendingCalls,
        long callsHandled,
        long handlerFailures,
        long noSuchHandler,
        long waitingForHandler,
        long invalidCalls,
        long volatileLost,
        long callsCancelled,
        long cancelledBeforeStart,
        long cancelledWhileRunning) {
    /** All zero: a node that made and handled no calls. */
    public static final CallStats NONE = new CallStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
