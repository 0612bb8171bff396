package dev.tether.transport.tcp;

import dev.tether.InvalidConfigException;
import dev.tether.transport.tcp.internal.NettyDefaults;
import dev.tether.transport.tcp.internal.SettingsBuilder;
import java.time.Duration;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * The settings the TCP and Unix domain socket transports share (both speak the protocol of docs/TCP.md): frame limit,
 * reconnect backoff, pre-shared key, queue limit, timeouts, threading and socket implementation. Each method returns
 * the builder it was called on, so calls chain with those of {@link TcpTransport.Builder} and {@code
 * UdsTransport.Builder}, the only two kinds (a builder of another class builds nothing: the transports take their
 * settings from this module's builders only). Not thread-safe.
 *
 * @param <B> the concrete builder
 */
public abstract class SocketTransportBuilder<B extends SocketTransportBuilder<B>> {
    private final SettingsBuilder shared = new SettingsBuilder();

    static {
        // The concrete builders (in two packages) read the settings through the internal package, not the API.
        SettingsBuilder.Access.install(b -> ((SocketTransportBuilder<?>) b).shared);
        NettyDefaults.apply(); // before the builders touch Netty
    }

    /** For the two concrete builders. */
    protected SocketTransportBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * The largest frame sent or accepted, in bytes (at least 1). Default 16 MiB.
     *
     * @throws InvalidConfigException if {@code bytes} is below 1
     */
    public B maxFrameBytes(int bytes) {
        shared.maxFrameBytes(bytes);
        return self();
    }

    /**
     * Reconnect delays: the n-th consecutive failed dial waits a random time between half and all of {@code min(max,
     * min * 2^n)}. Default 50 ms to 1 s. {@code max} is also the longest a peer that comes back after an outage of any
     * length waits for this node's next dial.
     *
     * @throws InvalidConfigException unless {@code 0 < min <= max}
     */
    public B reconnect(Duration min, Duration max) {
        shared.reconnect(min, max);
        return self();
    }

    /**
     * The randomness for reconnect jitter (e.g. a seeded {@link Random} in tests), used only on the transport's I/O
     * thread; do not share a generator that is not thread-safe between transports. Default: a new unseeded {@link
     * Random} per built transport.
     */
    public B random(RandomGenerator random) {
        shared.random(random);
        return self();
    }

    /**
     * A cluster key (at least 16 bytes) that both ends of every connection must prove they know, by HMAC
     * challenge-response over both ends' nonces. It authenticates membership at connect time; it does not encrypt
     * traffic (over TCP, combine it with TLS for that). Default: none.
     *
     * @throws InvalidConfigException if the key is shorter than 16 bytes
     */
    public B preSharedKey(byte[] key) {
        shared.preSharedKey(key);
        return self();
    }

    /**
     * Bytes that may wait to be written per connection before {@code send} drops frames and returns false; at least
     * twice {@link #maxFrameBytes} is always allowed, so large frames can be pipelined. Default 8 MiB.
     *
     * @throws InvalidConfigException if {@code bytes} is below 1024
     */
    public B outboundLimitBytes(int bytes) {
        shared.outboundLimitBytes(bytes);
        return self();
    }

    /** How long a new connection may take to complete its handshake (at least 1 ms). Default 10 s. */
    public B handshakeTimeout(Duration timeout) {
        shared.handshakeTimeout(timeout);
        return self();
    }

    /**
     * Accepted connections that may be in the handshake at once (at least 1). Before it completes, a connection has
     * proved nothing, but costs a descriptor and, with TLS, a key exchange (on the transport's TLS handshake threads):
     * a connection beyond the cap is closed at once and reported as a rejected connection; peers redial with backoff.
     * Connections this node dials are not counted. Over TCP, a second cap applies per remote IP address ({@code
     * TcpTransport.Builder.maxPendingHandshakesPerAddress}). Default 256 (docs/TCP.md, "Frames and limits").
     *
     * @throws InvalidConfigException if {@code connections} is below 1
     */
    public B maxPendingHandshakes(int connections) {
        shared.maxPendingHandshakes(connections);
        return self();
    }

    /** Idle time after which a heartbeat is sent; a connection silent for three intervals is closed. Default 5 s. */
    public B heartbeat(Duration interval) {
        shared.heartbeat(interval);
        return self();
    }

    /** How long one dial may take to connect (at least 1 ms). Default 5 s. */
    public B connectTimeout(Duration timeout) {
        shared.connectTimeout(timeout);
        return self();
    }

    /**
     * Whether the node runs its protocol loop on this transport's I/O thread (default true; see {@code
     * Transport.nodeExecutor()}). Turn it off to keep the I/O thread free of the node's work, for example when
     * listeners or a handler on the node thread are slow: then the node runs a thread of its own, which adds a thread
     * hand-off in each direction per frame.
     */
    public B hostNodeLoop(boolean host) {
        shared.hostNodeLoop(host);
        return self();
    }

    /**
     * Whether to use Netty's native epoll sockets where their library loads (Linux on x86_64 or aarch64; default
     * true), which cost fewer system calls per frame. Elsewhere, or when false, the JDK's NIO is used; each transport
     * tells which one a started transport uses ({@code nativeEpoll()}).
     */
    public B nativeEpoll(boolean preferNative) {
        shared.nativeEpoll(preferNative);
        return self();
    }
}
