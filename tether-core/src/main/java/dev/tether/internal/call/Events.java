package dev.tether.internal.call;

import dev.tether.CallKind;
import dev.tether.EventException;
import dev.tether.EventHandle;
import dev.tether.EventLimits;
import dev.tether.EventPoisonedException;
import dev.tether.EventStats;
import dev.tether.NodeClosedException;
import dev.tether.QueueFullException;
import dev.tether.StaleEventException;
import dev.tether.TetherEvent;
import dev.tether.TetherException;
import dev.tether.UnknownEventException;
import dev.tether.internal.engine.Effect;
import dev.tether.internal.engine.StreamKey;
import dev.tether.internal.runtime.MessageConsumer;
import dev.tether.internal.runtime.NodeFuture;
import dev.tether.internal.runtime.RoutedDelivery;
import dev.tether.internal.runtime.SendHook;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Distributed events (docs/MESSAGING.md "Events"): the application's operations, and the system handler {@value
 * EventWire#HANDLER} that takes other nodes' event messages ({@link EventWire}). Events this node owns live in the
 * {@link EventRegistry}; an operation on another node's event is a durable tell to that node's {@value
 * EventWire#HANDLER}, and an await of one is registered there and answered with a DONE tell. Local and remote use of
 * a handle take the same path through the registry, on the owner's node thread.
 *
 * <p>Threads: the operations validate on the caller's thread and hand over to the node thread, which owns the
 * registry and the waiting futures; the consumer runs on the node thread.
 */
public final class Events implements MessageConsumer {
    private final CallHost host;
    private final EventSettings settings;
    private final EventRegistry registry;
    /** Futures of this process waiting for other nodes' events, by event: one registration at the owner each. */
    private final Map<EventHandle, List<CompletableFuture<byte[]>>> awaiting = new HashMap<>();
    /** Local triggers and poisons waiting for their commit. */
    private final Set<CompletableFuture<Void>> writing = new HashSet<>();

    private final AtomicLong awaitingGauge = new AtomicLong();
    private final AtomicLong noticesDropped = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private long lastGeneration;
    private volatile boolean stopped;

    /** Loads the registry from the store; before the node starts. */
    public Events(CallHost host, EventSettings settings) {
        this.host = host;
        this.settings = settings;
        this.registry = new EventRegistry(host, settings.history());
        List<String> unreadable = new ArrayList<>();
        this.lastGeneration = registry.load(host.readKeys(EventRegistry.NAMESPACE), unreadable);
        invalid.addAndGet(unreadable.size());
        host.post(now -> {
            for (String u : unreadable) host.emit(new TetherEvent.ApplicationError("event registry", u + "; ignored"));
            registry.trimLoaded();
        });
    }

    // ---- the application's side (any thread) ----------------------------------------------------------

    public EventHandle create() {
        return create(UUID.randomUUID().toString());
    }

    public EventHandle create(String id) {
        EventHandle.requireValidId(id);
        requireRunning();
        // A re-creation of a pending id supersedes it and takes no place (PendingEvents).
        long generation = registry.pending.reserve(
                id, settings.maxPending(), this::nextGeneration, g -> host.post(now -> registry.create(id, g)));
        if (generation < 0) {
            throw new QueueFullException("node " + host.id() + " owns " + settings.maxPending()
                    + " pending events already, the most it may (TetherConfig.Builder.events)");
        }
        return new EventHandle(host.id(), id, generation);
    }

    /** Strictly increasing, and after a restart above the ones stored while the clock did not go back meanwhile. */
    private synchronized long nextGeneration() {
        lastGeneration = Math.max(lastGeneration + 1, host.clock().millis() * 1000);
        return lastGeneration;
    }

    public CompletableFuture<Void> trigger(EventHandle h, byte[] payload) {
        Objects.requireNonNull(h, "event");
        Objects.requireNonNull(payload, "payload");
        if (payload.length > EventLimits.MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("trigger payload of " + payload.length + " bytes; at most "
                    + EventLimits.MAX_PAYLOAD_BYTES + " (EventLimits.MAX_PAYLOAD_BYTES)");
        }
        return complete(h, EventEntry.TRIGGERED, payload.clone(), "", () -> EventWire.trigger(h, payload));
    }

    public CompletableFuture<Void> poison(EventHandle h, String reason) {
        Objects.requireNonNull(h, "event");
        Objects.requireNonNull(reason, "reason");
        if (reason.length() > EventLimits.MAX_REASON_CHARS) {
            throw new IllegalArgumentException("poison reason of " + reason.length() + " characters; at most "
                    + EventLimits.MAX_REASON_CHARS + " (EventLimits.MAX_REASON_CHARS)");
        }
        return complete(h, EventEntry.POISONED, new byte[0], reason, () -> EventWire.poison(h, reason));
    }

    private CompletableFuture<Void> complete(
            EventHandle h, int state, byte[] payload, String reason, java.util.function.Supplier<byte[]> message) {
        requireRunning();
        if (!h.owner().equals(host.id())) {
            return host.submit(h.owner(), EventWire.LANE, EventWire.HEADERS, message.get(), 0, null)
                    .accepted()
                    .thenApply(id -> null);
        }
        NodeFuture<Void> f = new NodeFuture<>(host::onNodeThread);
        host.post(
                now -> {
                    if (stopped) {
                        f.completeExceptionally(closed());
                        return;
                    }
                    writing.add(f);
                    registry.complete(h, state, payload, reason, host.id(), false, () -> {
                        writing.remove(f);
                        f.complete(null);
                    });
                },
                f);
        return f;
    }

    public CompletableFuture<byte[]> await(EventHandle h) {
        Objects.requireNonNull(h, "event");
        requireRunning();
        NodeFuture<byte[]> f = new NodeFuture<>(host::onNodeThread);
        host.post(
                now -> {
                    if (stopped) f.completeExceptionally(closed());
                    else if (h.owner().equals(host.id())) registry.awaitLocal(h, f);
                    else awaitRemote(h, f);
                },
                f);
        // Cancelled or completed by the application (orTimeout): dropped now, not kept until the event completes. A
        // future the node completed is gone already: nothing to find then.
        f.whenComplete((v, e) -> host.post(now -> withdrawAwait(h, f)));
        return f;
    }

    /** Futures waiting now, this node's events' and other nodes' (for tests). */
    int waiting() {
        return registry.localWaiters()
                + awaiting.values().stream().mapToInt(List::size).sum();
    }

    /**
     * Node thread: {@code f} no longer waits for {@code h}. When it was this node's last future for another node's
     * event, the await is withdrawn at the owner ({@link EventWire#WITHDRAW}, on the stream of the await, so after
     * it); a notice the owner sent before it took the withdrawal is dropped here.
     */
    private void withdrawAwait(EventHandle h, CompletableFuture<byte[]> f) {
        if (h.owner().equals(host.id())) {
            registry.withdrawLocal(h, f);
            return;
        }
        List<CompletableFuture<byte[]>> l = awaiting.get(h);
        if (l != null && l.remove(f) && l.isEmpty()) {
            awaiting.remove(h);
            awaitingGauge.set(awaiting.size());
            if (stopped) return;
            try {
                host.submit(h.owner(), EventWire.LANE, EventWire.HEADERS, EventWire.withdraw(h), 0, null);
            } catch (TetherException e) {
                // Not sent (the owner was removed, the outbox is full): the owner keeps this node as a waiter, and
                // its notice, when it comes, is dropped here, as before withdrawals existed.
            }
        }
    }

    /** Node thread: waits for another node's event; the first future of an event registers it at the owner. */
    private void awaitRemote(EventHandle h, CompletableFuture<byte[]> f) {
        List<CompletableFuture<byte[]>> waiting = awaiting.get(h);
        if (waiting != null) {
            waiting.add(f);
            return;
        }
        List<CompletableFuture<byte[]>> l = new ArrayList<>();
        l.add(f);
        awaiting.put(h, l);
        awaitingGauge.set(awaiting.size());
        SendHook hook = new SendHook() {
            @Override
            public void submitted(long now) {}

            @Override
            public void accepted(StreamKey key, long seq) {}

            @Override
            public void rejected(TetherException error) {
                host.post(now -> failAwaiting(h, l, error));
            }
        };
        try {
            host.submit(h.owner(), EventWire.LANE, EventWire.HEADERS, EventWire.await(h), 0, hook);
        } catch (TetherException e) {
            failAwaiting(h, l, e);
        }
    }

    private void failAwaiting(EventHandle h, List<CompletableFuture<byte[]>> l, TetherException e) {
        if (!awaiting.remove(h, l)) return;
        awaitingGauge.set(awaiting.size());
        for (CompletableFuture<byte[]> f : l) f.completeExceptionally(e);
    }

    private void requireRunning() {
        if (stopped) throw closed();
    }

    private NodeClosedException closed() {
        return new NodeClosedException("node " + host.id() + " is shut down");
    }

    // ---- other nodes' event messages (node thread) ------------------------------------------------------

    @Override
    public Executor executor() {
        return null; // the node thread, which owns the registry
    }

    @Override
    public void consume(RoutedDelivery d) {
        if (!EventWire.LANE.equals(d.lane()) || CallHeaders.kind(d.headers().get(CallHeaders.KIND)) != CallKind.TELL) {
            invalid(d, "an event message must be a tell on lane " + EventWire.LANE);
            return;
        }
        EventWire.Message m;
        try {
            m = EventWire.decode(d.payloadBytes());
        } catch (IllegalArgumentException e) {
            invalid(d, e.getMessage());
            return;
        }
        EventHandle h = m.handle();
        boolean toOwner = m.op() != EventWire.DONE;
        if (!(toOwner ? h.owner().equals(host.id()) : h.owner().equals(d.from()))) {
            invalid(d, "it names event " + h + (toOwner ? ", which this node does not own" : " of another owner"));
            return;
        }
        switch (m.op()) {
            case EventWire.TRIGGER, EventWire.POISON ->
                registry.complete(
                        h,
                        m.op() == EventWire.TRIGGER ? EventEntry.TRIGGERED : EventEntry.POISONED,
                        m.payload(),
                        m.reason(),
                        d.from(),
                        d.isRedelivery(),
                        () -> d.ack());
            case EventWire.AWAIT -> {
                Effect answer = registry.awaitRemote(h, d.from(), () -> d.ack());
                if (answer != null) d.ackWith(answer);
            }
            case EventWire.WITHDRAW -> registry.withdrawRemote(h, d.from(), () -> d.ack());
            default -> {
                done(h, m);
                d.ack();
            }
        }
    }

    /** The owner's answer to this node's await of {@code h}. */
    private void done(EventHandle h, EventWire.Message m) {
        List<CompletableFuture<byte[]>> l = awaiting.remove(h);
        awaitingGauge.set(awaiting.size());
        if (l == null) {
            noticesDropped.incrementAndGet(); // awaited before a restart of this node, twice, or withdrawn
            return;
        }
        for (CompletableFuture<byte[]> f : l) {
            switch (m.outcome()) {
                case EventWire.TRIGGERED -> f.complete(m.payload().clone());
                case EventWire.POISONED -> f.completeExceptionally(new EventPoisonedException(h, m.reason()));
                case EventWire.STALE -> f.completeExceptionally(new StaleEventException(h, m.generation()));
                case EventWire.UNKNOWN -> f.completeExceptionally(new UnknownEventException(h));
                default -> f.completeExceptionally(new EventException(h, m.reason()));
            }
        }
    }

    private void invalid(RoutedDelivery d, String reason) {
        invalid.incrementAndGet();
        host.protocolError(
                d.from(),
                "invalid event message " + d.from() + "/" + d.lane() + "#" + d.seq() + ": " + reason + "; dropped");
        d.ack();
    }

    // ---- the node --------------------------------------------------------------------------------------

    /** The counters (any thread). */
    public EventStats stats() {
        return new EventStats(
                registry.pending.count(),
                registry.completedCount(),
                registry.remoteWaiterCount(),
                registry.forgotten.get(),
                registry.ignored.get(),
                awaitingGauge.get(),
                noticesDropped.get(),
                invalid.get());
    }

    /** The node stops (node thread): futures still waiting fail. */
    public void stopping() {
        stopped = true;
        NodeClosedException e =
                new NodeClosedException("node " + host.id() + " shut down before the event's outcome was known here");
        registry.failAll(e);
        for (List<CompletableFuture<byte[]>> l : awaiting.values())
            for (CompletableFuture<byte[]> f : l) {
                f.completeExceptionally(e);
            }
        awaiting.clear();
        awaitingGauge.set(0);
        for (CompletableFuture<Void> f : writing) f.completeExceptionally(e);
        writing.clear();
    }
}
