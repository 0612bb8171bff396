package dev.tether.node;

import dev.tether.AckMode;
import dev.tether.AsyncHandler;
import dev.tether.Channels;
import dev.tether.CodecException;
import dev.tether.FailurePolicy;
import dev.tether.Handler;
import dev.tether.HandlerNames;
import dev.tether.HandlerOptions;
import dev.tether.InvalidConfigException;
import dev.tether.InvalidIdException;
import dev.tether.MessageHandler;
import dev.tether.RetryPolicy;
import dev.tether.TetherNode;
import dev.tether.TypeRef;
import dev.tether.TypedAsyncHandler;
import dev.tether.TypedHandler;
import dev.tether.internal.call.HandlerSpec;
import dev.tether.spi.Codec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The part of {@link TetherConfig.Builder} that holds what handles deliveries: the push handler, the named handlers
 * (bytes and typed) with the codec of the typed ones, the channel handlers, where handlers run, and how failed
 * deliveries are retried. Its setters are the builder's: they validate their argument and return the builder.
 */
abstract sealed class HandlerSettings permits BusSettings {
    RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    FailurePolicy failurePolicy = FailurePolicy.DEAD_LETTER;
    AckMode ackMode = AckMode.AUTO;
    MessageHandler handler;
    int handlerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
    boolean handlerOnNodeThread;
    Codec codec;

    /** By name, in the order given; typed ones are made once the codec is known ({@link #namedHandlers}). */
    private final Map<String, Function<Codec, HandlerSpec>> namedHandlers = new LinkedHashMap<>();

    /** By channel, in the order given. */
    private final Map<String, MessageHandler> channelHandlers = new LinkedHashMap<>();

    HandlerSettings() {}

    private TetherConfig.Builder self() {
        return (TetherConfig.Builder) this;
    }

    /** How failed deliveries are retried; default {@link RetryPolicy#DEFAULT}. */
    public TetherConfig.Builder retryPolicy(RetryPolicy policy) {
        this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
        return self();
    }

    /** What happens after the last retry; default {@link FailurePolicy#DEAD_LETTER}. */
    public TetherConfig.Builder failurePolicy(FailurePolicy policy) {
        this.failurePolicy = Objects.requireNonNull(policy, "failurePolicy");
        return self();
    }

    /** Whether the handler's return acknowledges a delivery; default {@link AckMode#AUTO}. */
    public TetherConfig.Builder ackMode(AckMode mode) {
        this.ackMode = Objects.requireNonNull(mode, "ackMode");
        return self();
    }

    /** Pushes deliveries to {@code handler}; without one the application pulls them. */
    public TetherConfig.Builder handler(MessageHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
        return self();
    }

    /**
     * Threads the handler runs on; default the number of processors, at least 2.
     *
     * @throws InvalidConfigException unless {@code 1 <= threads <= 1024}
     */
    public TetherConfig.Builder handlerThreads(int threads) {
        this.handlerThreads = (int) ConfigChecks.inRange("handlerThreads", threads, 1, 1024);
        return self();
    }

    /**
     * Runs the handler on the node thread instead of on {@link #handlerThreads} (default false). This saves
     * two thread hand-offs per run of deliveries, which is most of a round trip on a small machine, and suits
     * handlers that are short and never block: while the handler runs, the node does nothing else (no
     * sending, receiving or acknowledging on any stream; with a transport that hosts the node on its I/O
     * thread, no network I/O either). Such a handler may send, but must not wait: waiting on a future of this
     * node from the node thread throws {@link IllegalStateException} instead of deadlocking, and so does
     * {@link TetherNode#shutdown}.
     */
    public TetherConfig.Builder handlerOnNodeThread(boolean onNodeThread) {
        this.handlerOnNodeThread = onNodeThread;
        return self();
    }

    /** Same as {@code handle(name, HandlerOptions.defaults(), handler)}. */
    public TetherConfig.Builder handle(String name, Handler handler) {
        return handle(name, HandlerOptions.defaults(), handler);
    }

    /**
     * Registers a named handler before the node starts, as {@link TetherNode#handle(String, HandlerOptions,
     * Handler)} does later: calls stored while the node was down, delivered as soon as it starts, then find it, and
     * no call meets the node without it. Such a handler stays registered for the node's lifetime.
     *
     * @throws InvalidIdException if {@code name} is not a valid handler name
     * @throws IllegalArgumentException if it is reserved (starts with {@code '_'})
     * @throws InvalidConfigException if a handler of that name was given already
     */
    public TetherConfig.Builder handle(String name, HandlerOptions options, Handler handler) {
        HandlerSpec spec = new HandlerSpec(name, options, Objects.requireNonNull(handler, "handler"), null);
        return named(name, options, codec -> spec);
    }

    /** Same as {@code handleAsync(name, HandlerOptions.defaults(), handler)}. */
    public TetherConfig.Builder handleAsync(String name, AsyncHandler handler) {
        return handleAsync(name, HandlerOptions.defaults(), handler);
    }

    /** Registers an asynchronous named handler before the node starts; see {@link #handle(String, HandlerOptions, Handler)}. */
    public TetherConfig.Builder handleAsync(String name, HandlerOptions options, AsyncHandler handler) {
        HandlerSpec spec = new HandlerSpec(name, options, null, Objects.requireNonNull(handler, "handler"));
        return named(name, options, codec -> spec);
    }

    /** Same as {@code handle(name, TypeRef.of(type), HandlerOptions.defaults(), handler)}. */
    public <T, R> TetherConfig.Builder handle(String name, Class<T> type, TypedHandler<T, R> handler) {
        return handle(name, TypeRef.of(Objects.requireNonNull(type, "type")), HandlerOptions.defaults(), handler);
    }

    /**
     * Registers a typed handler before the node starts, as {@link TetherNode#handle(String, TypeRef,
     * HandlerOptions, TypedHandler)} does later (requests decoded as {@code type}, replies encoded, by the codec
     * of {@link #codec}, else the one on the class path); otherwise as {@link #handle(String, HandlerOptions,
     * Handler)}. Without a codec, {@link TetherConfig.Builder#build()} fails.
     *
     * @throws InvalidIdException if {@code name} is not a valid handler name
     * @throws IllegalArgumentException if it is reserved (starts with {@code '_'})
     * @throws InvalidConfigException if a handler of that name was given already
     */
    public <T, R> TetherConfig.Builder handle(
            String name, TypeRef<T> type, HandlerOptions options, TypedHandler<T, R> handler) {
        return typed(name, type, handler, options, codec -> HandlerSpec.typed(name, type, options, handler, codec));
    }

    /** Same as {@code handleAsync(name, TypeRef.of(type), HandlerOptions.defaults(), handler)}. */
    public <T, R> TetherConfig.Builder handleAsync(String name, Class<T> type, TypedAsyncHandler<T, R> handler) {
        return handleAsync(name, TypeRef.of(Objects.requireNonNull(type, "type")), HandlerOptions.defaults(), handler);
    }

    /**
     * Registers a typed asynchronous handler before the node starts, as {@link TetherNode#handleAsync(String,
     * TypeRef, HandlerOptions, TypedAsyncHandler)} does later; otherwise as {@link #handle(String, TypeRef,
     * HandlerOptions, TypedHandler)}.
     */
    public <T, R> TetherConfig.Builder handleAsync(
            String name, TypeRef<T> type, HandlerOptions options, TypedAsyncHandler<T, R> handler) {
        return typed(
                name, type, handler, options, codec -> HandlerSpec.typedAsync(name, type, options, handler, codec));
    }

    private TetherConfig.Builder typed(
            String name, TypeRef<?> type, Object handler, HandlerOptions options, Function<Codec, HandlerSpec> spec) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        return named(name, options, spec);
    }

    private TetherConfig.Builder named(String name, HandlerOptions options, Function<Codec, HandlerSpec> spec) {
        HandlerNames.requireApplicationName(name);
        Objects.requireNonNull(options, "options");
        if (namedHandlers.putIfAbsent(name, spec) != null) {
            throw new InvalidConfigException("a handler named '" + name + "' was given already");
        }
        return self();
    }

    /**
     * Registers the handler of {@code channel}'s messages before the node starts, as {@link
     * TetherNode#handleChannel} does later, but installed before the node connects to any peer: the channel's messages
     * a member receives as soon as it starts (a stored membership; a restarted node's unprocessed messages, resent)
     * reach it, none the node's handler or pull queue. Such a handler stays registered for the node's lifetime.
     *
     * @throws InvalidIdException if {@code channel} is not a valid channel name
     * @throws IllegalArgumentException if it starts with {@code '_'} and is not {@link dev.tether.Channels#BROADCAST}
     * @throws InvalidConfigException if a handler of that channel was given already
     */
    public TetherConfig.Builder handleChannel(String channel, MessageHandler handler) {
        if (!Channels.BROADCAST.equals(channel)) Channels.requireApplicationChannel(channel);
        Objects.requireNonNull(handler, "handler");
        if (channelHandlers.putIfAbsent(channel, handler) != null) {
            throw new InvalidConfigException("a handler of channel '" + channel + "' was given already");
        }
        return self();
    }

    /** The channel handlers by channel, in the order given; for {@code build()}. */
    Map<String, MessageHandler> channelHandlers() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(channelHandlers));
    }

    /** The codec of typed calls; default: the one on the class path ({@code tether-codec-jackson}). */
    public TetherConfig.Builder codec(Codec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
        return self();
    }

    /** The named handlers, in the order given, the typed ones bound to the codec; for {@code build()}. */
    List<HandlerSpec> namedHandlers() {
        List<HandlerSpec> specs = new ArrayList<>(namedHandlers.size());
        try {
            for (Function<Codec, HandlerSpec> spec : namedHandlers.values()) specs.add(spec.apply(codec));
        } catch (CodecException e) {
            throw new InvalidConfigException("typed handlers: " + e.getMessage(), e);
        }
        return List.copyOf(specs);
    }
}
