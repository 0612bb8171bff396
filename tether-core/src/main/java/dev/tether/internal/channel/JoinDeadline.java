package dev.tether.internal.channel;

import dev.tether.ChannelJoinTimeoutException;
import dev.tether.NodeId;
import dev.tether.Outcome;
import dev.tether.internal.runtime.NodeRuntime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of a join ({@code channelJoinTimeout}): a join not taken care of by every peer told by then fails with
 * {@link ChannelJoinTimeoutException} naming those still waiting; the membership and the tells stay. A re-admission
 * waits as long before it tells the node ({@link ChannelKicks}).
 */
final class JoinDeadline {
    private JoinDeadline() {}

    /** The join timeout in milliseconds, saturated: a "forever" timeout ({@code ChronoUnit.FOREVER}) is no overflow. */
    static long millis(NodeRuntime runtime) {
        try {
            return runtime.settings().channelJoinTimeout().toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** Fails {@code done}, the join of {@code channel}, if it is not complete after the timeout; {@code told}: tells. */
    static void timeOut(
            NodeRuntime runtime,
            CompletableFuture<Void> done,
            String channel,
            Map<NodeId, CompletableFuture<Outcome>> told) {
        long millis = millis(runtime);
        CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(() -> {
            if (done.isDone()) return;
            List<String> waiting = new ArrayList<>();
            for (Map.Entry<NodeId, CompletableFuture<Outcome>> t : told.entrySet()) {
                if (!t.getValue().isDone()) waiting.add(t.getKey().toString());
            }
            Collections.sort(waiting);
            done.completeExceptionally(new ChannelJoinTimeoutException("join of channel '" + channel + "' not done"
                    + " after " + millis + " ms: "
                    + (told.isEmpty()
                            ? "the membership is not stored yet"
                            : "not taken care of yet by " + waiting
                                    + "; the membership is stored and they take the join" + " when they return")));
        });
    }
}
