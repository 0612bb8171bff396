package dev.tether.internal.call;

import dev.tether.NodeClosedException;
import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.internal.engine.FrameCodec;
import dev.tether.internal.runtime.NodeTask;
import dev.tether.internal.runtime.SendHook;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A {@link CallHost} for unit tests: the "node thread" is the test thread running {@link #runPosted}, time is {@link
 * #now}, sends are recorded with their hooks.
 */
final class FakeHost implements CallHost {
    record Sent(NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt, SendHook hook) {}

    final NodeId id = NodeId.of("me");
    final ArrayDeque<NodeTask> posted = new ArrayDeque<>();
    final List<Sent> sent = new ArrayList<>();
    final List<TetherEvent> events = new ArrayList<>();
    final List<String> protocolErrors = new ArrayList<>();
    final List<Runnable> pool = new ArrayList<>();
    long now = 1_000_000;
    int maxMessageBytes = 1 << 20;
    boolean nodeThread = true;
    /** The node loop has ended: what is posted from now on is refused, as a real loop refuses it. */
    boolean loopEnded;

    @Override
    public NodeId id() {
        return id;
    }

    @Override
    public long epoch() {
        return FakeDelivery.EPOCH;
    }

    @Override
    public long bootId() {
        return FakeDelivery.EPOCH + 1;
    }

    @Override
    public Clock clock() {
        return new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now);
            }
        };
    }

    @Override
    public Executor handlerThreads() {
        return pool::add;
    }

    @Override
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    @Override
    public int headersSize(Map<String, String> headers) {
        return FrameCodec.headersSize(headers);
    }

    @Override
    public Duration defaultCallTimeout() {
        return Duration.ofSeconds(30);
    }

    @Override
    public void post(NodeTask task) {
        if (!loopEnded) posted.add(task); // an ended loop refuses a plain task: it never runs
    }

    @Override
    public void post(NodeTask task, CompletableFuture<?> answer) {
        if (loopEnded) answer.completeExceptionally(new NodeClosedException("node " + id + " is shut down"));
        else posted.add(task);
    }

    /** Runs what was posted, and what that posts, at {@link #now}. */
    void runPosted() {
        for (NodeTask t = posted.poll(); t != null; t = posted.poll()) t.run(now);
    }

    /** Runs the tasks handed to the handler pool, in order. */
    void runPool() {
        while (!pool.isEmpty()) pool.remove(0).run();
    }

    @Override
    public SendReceipt submit(
            NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt, SendHook hook) {
        sent.add(new Sent(to, lane, headers, payload, expiresAt, hook));
        if (hook != null) post(hook::submitted);
        CompletableFuture<dev.tether.Outcome> processed = new CompletableFuture<>();
        receipts.add(processed);
        return new SendReceipt() {
            @Override
            public CompletableFuture<dev.tether.MessageId> accepted() {
                return new CompletableFuture<>();
            }

            @Override
            public CompletableFuture<dev.tether.Outcome> processed() {
                return processed;
            }
        };
    }

    /** The {@code processed()} futures of the sends so far, in order. */
    final List<CompletableFuture<dev.tether.Outcome>> receipts = new ArrayList<>();

    @Override
    public void emit(TetherEvent event) {
        events.add(event);
    }

    @Override
    public void protocolError(NodeId peer, String reason) {
        protocolErrors.add(reason);
    }

    /** Calls withdrawn with {@link #cancel}. */
    final List<CallKey> cancelled = new ArrayList<>();

    @Override
    public void cancel(NodeId to, String lane, long seq) {
        cancelled.add(new CallKey(to, lane, seq));
    }

    /** Store writes made with {@link #writeKeys}: durable at once, their {@code then} run as a task. */
    final List<dev.tether.internal.engine.Effect> written = new ArrayList<>();

    @Override
    public void writeKeys(List<dev.tether.internal.engine.Effect> effects, Runnable then) {
        written.addAll(effects);
        post(now -> then.run());
    }

    @Override
    public boolean onNodeThread() {
        return nodeThread;
    }
}
