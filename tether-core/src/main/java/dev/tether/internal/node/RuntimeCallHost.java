package dev.tether.internal.node;

import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.internal.call.CallHost;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.FrameCodec;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.KeyPages;
import dev.tether.internal.runtime.NodeRuntime;
import dev.tether.internal.runtime.NodeTask;
import dev.tether.internal.runtime.SendHook;
import dev.tether.internal.runtime.StoreTransactions;
import dev.tether.spi.KeyValue;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** The call layer's view of the stream node. */
final class RuntimeCallHost implements CallHost {
    private final NodeRuntime runtime;

    RuntimeCallHost(NodeRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public NodeId id() {
        return runtime.id();
    }

    @Override
    public long epoch() {
        return runtime.epoch();
    }

    @Override
    public long bootId() {
        return runtime.bootId();
    }

    @Override
    public Clock clock() {
        return runtime.clock();
    }

    @Override
    public Executor handlerThreads() {
        return runtime.handlerThreads();
    }

    @Override
    public StoreTransactions transactions() {
        return runtime.transactions();
    }

    @Override
    public int maxMessageBytes() {
        return runtime.settings().maxMessageBytes();
    }

    @Override
    public int headersSize(Map<String, String> headers) {
        return FrameCodec.headersSize(headers);
    }

    @Override
    public Duration defaultCallTimeout() {
        return runtime.settings().defaultCallTimeout();
    }

    @Override
    public void post(NodeTask task) {
        runtime.post(task);
    }

    @Override
    public void post(NodeTask task, CompletableFuture<?> answer) {
        runtime.post(task, answer);
    }

    @Override
    public SendReceipt submit(
            NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt, SendHook hook) {
        return runtime.submit(to, lane, headers, payload, expiresAt, hook);
    }

    @Override
    public void cancel(NodeId to, String lane, long seq) {
        runtime.cancel(new StreamKey(to, lane), seq);
    }

    @Override
    public void emit(TetherEvent event) {
        runtime.emit(event);
    }

    @Override
    public void protocolError(NodeId peer, String reason) {
        runtime.protocolError(peer, reason);
    }

    @Override
    public void writeKeys(List<Effect> effects, Runnable then) {
        runtime.writeKeys(effects, then);
    }

    @Override
    public List<KeyValue> readKeys(String namespace) {
        return KeyPages.readAll(
                runtime.settings().store(), namespace, runtime.clock().millis());
    }

    @Override
    public boolean onNodeThread() {
        return runtime.onNodeThread();
    }

    @Override
    public long peerEpoch(NodeId peer) {
        return runtime.peerEpoch(peer);
    }
}
