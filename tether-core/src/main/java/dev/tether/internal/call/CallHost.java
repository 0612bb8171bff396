package dev.tether.internal.call;

import dev.tether.NodeId;
import dev.tether.SendReceipt;
import dev.tether.TetherEvent;
import dev.tether.internal.engine.Effect;
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

/** What the call layer needs from the stream node below it (implemented over the runtime by the composition root). */
public interface CallHost {
    /** This node's id. */
    NodeId id();

    /** This node's store epoch: replies to its calls name it. */
    long epoch();

    /** This process's boot id: replies to its volatile calls name it (their streams' sender epoch). */
    long bootId();

    /** The node's clock: deadlines are compared with it. */
    Clock clock();

    /** The node's handler pool. */
    Executor handlerThreads();

    /** The store's transactions for transactional handlers; null where there is no store (tests). */
    default StoreTransactions transactions() {
        return null;
    }

    /** Largest payload plus encoded headers a message may have. */
    int maxMessageBytes();

    /** Size of {@code headers} as encoded on the wire. */
    int headersSize(Map<String, String> headers);

    /** The deadline of a call made without a timeout. */
    Duration defaultCallTimeout();

    /** Runs {@code task} on the node thread. */
    void post(NodeTask task);

    /**
     * Runs {@code task} on the node thread, or fails {@code answer} with {@code NodeClosedException} if the node
     * stopped before it could run (a task that completes a future someone waits for).
     */
    void post(NodeTask task, CompletableFuture<?> answer);

    /**
     * Sends a message that may carry reserved headers and lanes; argument problems throw here as for {@code
     * TetherNode.send}, and {@code hook} hears of the rest on the node thread.
     */
    SendReceipt submit(
            NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt, SendHook hook);

    /**
     * Withdraws message {@code seq} of this node's stream to {@code to} on {@code lane}: a cancelled call (node thread
     * only; see {@code Engine.cancel}).
     */
    void cancel(NodeId to, String lane, long seq);

    /** Reports {@code event} to the node's listener (node thread only). */
    void emit(TetherEvent event);

    /**
     * Counts and reports a malformed message from {@code peer} as a protocol error, rate-limited like the others
     * (node thread only).
     */
    void protocolError(NodeId peer, String reason);

    /**
     * Stores {@code effects} (key-value writes, and messages that go with them) in the next store batch, without a
     * settlement, and runs {@code then} on the node thread once they are durable (node thread only; {@code
     * Engine.writeKeys}).
     */
    default void writeKeys(List<Effect> effects, Runnable then) {
        throw new UnsupportedOperationException("this host stores nothing");
    }

    /** Every live entry of {@code namespace} of the store's key-value area; before the node starts. */
    default List<KeyValue> readKeys(String namespace) {
        return List.of();
    }

    /**
     * The store epoch {@code peer} introduced itself with on its connection (its HELLO), 0 if none is known (node
     * thread only): a volatile stream's sender epoch is the peer's boot id, not its store epoch.
     */
    default long peerEpoch(NodeId peer) {
        return 0;
    }

    /** Whether the calling thread is the node thread. */
    boolean onNodeThread();
}
