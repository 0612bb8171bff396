package dev.tether.transport.nats.internal;

import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import dev.tether.spi.Transport;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The NATS side of the transport: one jnats connection, its subscriptions, the announcement timer and the
 * connect loop, feeding a {@link LinkTable}.
 *
 * <p>Threads: a connect thread runs until the first connection succeeds (jnats then reconnects by itself, with
 * unlimited attempts); the jnats dispatcher thread handles received messages; jnats's callback thread reports
 * connection events and permission refusals; one timer thread announces and expires peers. {@link #send} runs on
 * the caller's thread. A session starts on the thread that saw the connection come up (the connect thread, or
 * jnats's callback thread after a reconnect), after the {@link IdentityCheck} if the deployment declares enforced
 * identity: that thread then waits for the server's two refusals, one round trip each (up to the connection
 * timeout each where the server does not refuse), so connection events queued behind it wait as long.
 */
public final class NatsLink {
    private static final System.Logger LOG = System.getLogger(NatsLink.class.getName());

    private enum State {
        NEW,
        STARTED,
        CLOSED
    }

    private final NatsSettings settings;
    private final Subjects subjects;
    private final Map<NodeId, String> inboxes = new ConcurrentHashMap<>();
    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong sendsFailed = new AtomicLong();
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicLong identityChecksFailed = new AtomicLong();
    private final SecureRandom nonces = new SecureRandom();
    private volatile State state = State.NEW;
    private volatile Connection connection;
    private NodeId self;
    /** The subject this node announces on: {@code <prefix>.presence.<self>}. */
    private String presence;

    private volatile LinkTable table;
    private InboundHandler handler;
    private ScheduledExecutorService timer;
    private volatile Thread connector;
    private volatile String lastConnectError;
    /** The frame limit the listener was told last: {@code maxFrameBytes} until a server allows less. */
    private volatile int frameLimit;
    /** Permission violations logged: a refused announcement recurs every interval and is logged once. */
    private final Set<String> violationsLogged = ConcurrentHashMap.newKeySet();

    public NatsLink(NatsSettings settings) {
        this.settings = settings;
        this.subjects = new Subjects(settings.prefix());
        this.frameLimit = settings.maxFrameBytes();
    }

    /** Starts connecting as {@code self}; returns at once (NATS may not be reachable yet). */
    public synchronized void start(NodeId self, Transport.Listener listener) {
        if (state != State.NEW) throw new IllegalStateException("transport was already started or closed");
        this.self = self;
        this.presence = subjects.presence(self);
        this.table = new LinkTable(
                self,
                listener,
                this::sendHello,
                settings.peerTimeout().toNanos(),
                new SplittableRandom(new SecureRandom().nextLong()));
        this.handler = new InboundHandler(subjects, self, settings.maxFrameBytes(), table, System::nanoTime);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tether-nats-timer-" + self));
        long announce = settings.announceInterval().toNanos();
        long expire = Math.max(
                TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(announce, settings.peerTimeout().toNanos()) / 4);
        timer.scheduleAtFixedRate(this::announceSafely, announce, announce, TimeUnit.NANOSECONDS);
        timer.scheduleAtFixedRate(() -> table.expire(System.nanoTime()), expire, expire, TimeUnit.NANOSECONDS);
        state = State.STARTED;
        startConnector();
    }

    /** See {@link Transport#send}. */
    public boolean send(NodeId peer, ByteBuffer frame) {
        int size = frame.remaining();
        if (size > settings.maxFrameBytes()) {
            throw new IllegalArgumentException(
                    "frame of " + size + " bytes exceeds maxFrameBytes " + settings.maxFrameBytes());
        }
        if (state == State.NEW) throw new IllegalStateException("transport is not started");
        LinkTable.Route route = table.route(peer);
        Connection c = connection;
        if (route == null || c == null) return false;
        byte[] envelope = Envelope.frame(self, route.connection(), route.myLink(), route.theirLink(), frame);
        if (!publish(c, inbox(peer), envelope)) return false;
        framesSent.incrementAndGet();
        return true;
    }

    /**
     * Says goodbye (if attached), stops the timer and the connect loop and closes the connection. No listener call
     * is made once this returns. Idempotent.
     */
    public void close() {
        synchronized (this) {
            if (state == State.CLOSED) return;
            boolean started = state == State.STARTED;
            state = State.CLOSED;
            if (!started) return;
        }
        long session = table.connection();
        table.close();
        timer.shutdownNow();
        connector.interrupt();
        Connection c = connection;
        if (c != null) {
            if (session != 0) {
                publish(c, presence, Envelope.control(Envelope.Kind.GOODBYE, self, session, 0, 0));
                flushQuietly(c);
            }
            closeQuietly(c);
        }
        joinQuietly(connector);
    }

    /** See {@code NatsTransport.connect}: forgets a refusal of {@code peer} and greets it if it is around. */
    public void connect(NodeId peer) {
        LinkTable t = table;
        if (t != null) t.allow(peer);
    }

    /** See {@code NatsTransport.disconnect}: ends the link to {@code peer}. */
    public void disconnect(NodeId peer) {
        LinkTable t = table;
        if (t != null) t.drop(peer);
    }

    /** Reports present peers to {@code listener} (null: no more); see {@link LinkTable#attachPresence}. */
    public void attachPresence(dev.tether.spi.Discovery.Listener listener) {
        LinkTable t = table;
        if (t != null) t.attachPresence(listener);
    }

    /** Test hook: cuts the link to {@code peer} until {@link #unblock}. */
    public void block(NodeId peer) {
        table.block(peer);
    }

    /** Test hook: lets {@code peer} connect again. */
    public void unblock(NodeId peer) {
        table.unblock(peer);
    }

    /** The link table, for statistics. */
    public LinkTable table() {
        return table;
    }

    public long framesSent() {
        return framesSent.get();
    }

    public long sendsFailed() {
        return sendsFailed.get();
    }

    public long sessions() {
        return sessions.get();
    }

    public long identityChecksFailed() {
        return identityChecksFailed.get();
    }

    /** The last reason a connect failed, or null since the connection is attached; for tests. */
    String lastConnectError() {
        return lastConnectError;
    }

    /** Whether the connect thread runs; for tests. */
    boolean connectorAlive() {
        Thread t = connector;
        return t != null && t.isAlive();
    }

    /** The URL of the server the connection is attached to, or null while detached. */
    public String connectedServer() {
        Connection c = connection;
        return c != null && c.getStatus() == Connection.Status.CONNECTED ? c.getConnectedUrl() : null;
    }

    /** Whether the jnats connection is currently up. */
    public boolean isAttached() {
        Connection c = connection;
        return c != null && c.getStatus() == Connection.Status.CONNECTED && table.connection() != 0;
    }

    // ---- connecting ------------------------------------------------------------------------------------------

    private void startConnector() {
        connector = daemon(this::connectLoop, "tether-nats-connect-" + self);
        connector.start();
    }

    /**
     * Tries the servers until one accepts us; afterwards jnats reconnects by itself. Whatever fails, the options
     * too (the builder checks the server URLs, but jnats has the last word), is reported by {@link #connectFailed}
     * and tried again: nothing escapes this thread.
     */
    private void connectLoop() {
        Options options = null;
        while (state == State.STARTED) {
            try {
                if (options == null) options = options();
                Connection c = Nats.connect(options);
                if (!attach(c)) closeQuietly(c);
                return;
            } catch (IOException | RuntimeException e) {
                connectFailed(e);
            } catch (InterruptedException e) {
                return;
            }
            LockSupport.parkNanos(settings.reconnectWait().toNanos());
            if (Thread.interrupted()) return;
        }
    }

    private void connectFailed(Exception e) {
        String message = String.valueOf(e.getMessage());
        if (!message.equals(lastConnectError)) {
            lastConnectError = message;
            LOG.log(
                    Level.WARNING,
                    "tether node " + self + " cannot reach NATS " + settings.servers() + " yet: " + message
                            + "; retrying every " + settings.reconnectWait().toMillis() + " ms");
        }
    }

    /** Subscribes on a fresh connection and starts a session; false if the transport closed meanwhile. */
    private boolean attach(Connection c) {
        synchronized (this) {
            if (state != State.STARTED) return false;
            Dispatcher d = c.createDispatcher(m -> handler.handle(m.getSubject(), m.getData()));
            d.subscribe(subjects.allPresence());
            d.subscribe(subjects.inboxWildcard(self));
            connection = c;
        }
        lastConnectError = null;
        checkMaxPayload(c);
        beginSession(c);
        return true;
    }

    private void beginSession(Connection c) {
        long session = table.startSession(peerProof(c));
        if (session == 0) return;
        sessions.incrementAndGet();
        announce(session);
    }

    /**
     * IDENTITY if the deployment declares per-node permissions and the server refuses this node publishing as
     * another; else MEMBERSHIP, after reporting a failed check (see {@link IdentityCheck}).
     */
    private PeerProof peerProof(Connection c) {
        if (!settings.identityEnforced()) return PeerProof.MEMBERSHIP;
        IdentityCheck.Result check =
                IdentityCheck.run(c, subjects, self, nonces.nextLong(), settings.connectionTimeout());
        if (check.enforced()) return PeerProof.IDENTITY;
        identityChecksFailed.incrementAndGet();
        String reason = "identityEnforced is set but the identity check failed: " + check.reason()
                + "; peers are admitted with proof MEMBERSHIP on this connection";
        LOG.log(Level.WARNING, "tether node " + self + ": " + reason);
        table.report("nats server " + c.getConnectedUrl(), reason);
        return PeerProof.MEMBERSHIP;
    }

    /**
     * Learns the server's {@code max_payload}: a frame must fit it with its envelope. If that allows less than
     * {@code maxFrameBytes}, logs a warning, reports it through {@code onConnectionRejected} and tells the node the
     * smaller frame limit ({@code onFrameLimit}), which then reports a message that cannot fit as unsendable instead
     * of sending it again and again; a later server that allows {@code maxFrameBytes} raises it again.
     */
    private void checkMaxPayload(Connection c) {
        long serverMax = c.getMaxPayload();
        int header = Envelope.headerBytes(self);
        long needed = (long) settings.maxFrameBytes() + header;
        int limit =
                serverMax > 0 && serverMax < needed ? (int) Math.max(1, serverMax - header) : settings.maxFrameBytes();
        if (limit < settings.maxFrameBytes()) {
            String reason = "server max_payload " + serverMax + " is below maxFrameBytes " + settings.maxFrameBytes()
                    + " plus the envelope (" + needed + "); frames are limited to " + limit
                    + " bytes and larger messages are reported unsendable";
            LOG.log(Level.WARNING, "tether node " + self + ": " + reason);
            table.rejected("nats server " + c.getConnectedUrl(), reason);
        }
        if (limit != frameLimit) {
            frameLimit = limit;
            table.frameLimit(limit);
        }
    }

    private Options options() {
        Options.Builder b = Options.builder()
                .servers(settings.servers().toArray(String[]::new))
                .connectionName("tether-" + self.value())
                .maxReconnects(-1)
                .reconnectWait(settings.reconnectWait())
                // Frames published while detached would be replayed on the next connection, where the receiver
                // fences them anyway: do not buffer them at all.
                .reconnectBufferSize(0)
                .noEcho()
                .pingInterval(settings.pingInterval())
                .connectionTimeout(settings.connectionTimeout())
                .maxMessagesInOutgoingQueue(65_536)
                .connectionListener(new ConnectionEvents())
                .errorListener(new Errors());
        if (settings.token() != null) b.token(settings.token());
        if (settings.user() != null) b.userInfo(settings.user().toCharArray(), settings.password());
        if (settings.credentials() != null)
            b.credentialPath(settings.credentials().toString());
        if (settings.nkey() != null) b.authHandler(NkeyFiles.authHandler(settings.nkey()));
        if (settings.sslContext() != null) b.sslContext(settings.sslContext());
        return b.build();
    }

    // ---- publishing ------------------------------------------------------------------------------------------

    private void announceSafely() {
        try {
            long session = table.connection();
            if (session != 0) announce(session);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "tether node " + self + ": announcement failed", e);
        }
    }

    private void announce(long session) {
        Connection c = connection;
        if (c != null) {
            publish(c, presence, Envelope.control(Envelope.Kind.ANNOUNCE, self, session, 0, 0));
        }
    }

    private void sendHello(NodeId peer, long session, long fromLink, long toLink) {
        Connection c = connection;
        if (c != null) {
            // not cached: any id on the presence subject may get a hello, the cache is for real peers only
            publish(
                    c,
                    subjects.inbox(peer, self),
                    Envelope.control(Envelope.Kind.HELLO, self, session, fromLink, toLink));
        }
    }

    /** Publishes; false (counted) if jnats refused: detached, queue full past its timeout, above max_payload. */
    private boolean publish(Connection c, String subject, byte[] data) {
        try {
            c.publish(subject, data);
            return true;
        } catch (IllegalStateException | IllegalArgumentException e) {
            sendsFailed.incrementAndGet();
            return false;
        }
    }

    private String inbox(NodeId peer) {
        return inboxes.computeIfAbsent(peer, p -> subjects.inbox(p, self));
    }

    // ---- jnats callbacks -------------------------------------------------------------------------------------

    /** Connection events, on jnats's single callback thread, in the order they happened. */
    private final class ConnectionEvents implements ConnectionListener {
        @Deprecated
        @Override
        public void connectionEvent(Connection c, Events type) {
            switch (type) {
                case DISCONNECTED -> {
                    // every link ends with the session: say why, or the peers' downs look unexplained
                    if (state == State.STARTED) {
                        LOG.log(Level.INFO, "tether node " + self + ": disconnected from NATS; reconnecting");
                    }
                    table.endSession();
                }
                case RECONNECTED -> {
                    if (state == State.STARTED) {
                        LOG.log(Level.INFO, "tether node " + self + ": reconnected to NATS " + c.getConnectedUrl());
                        checkMaxPayload(c); // maybe another server of the cluster, with another max_payload
                        beginSession(c);
                    }
                }
                case CLOSED -> {
                    table.endSession();
                    restartAfterUnexpectedClose(c);
                }
                default -> {}
            }
        }
    }

    /**
     * The server refused one of our publishes or subscriptions: reported and counted, except for the refusals an
     * identity check asks for.
     */
    private void permissionViolation(Connection c, String error) {
        String subject = IdentityCheck.subjectOf(error);
        if (subject != null && subjects.isIdentityCheck(subject)) return;
        String what = IdentityCheck.isSubscription(error) ? "subscribing to " : "publishing on ";
        String reason = "the NATS server refused node " + self + " " + what + (subject != null ? subject : error)
                + ": its credentials do not grant this node's subjects (another node's credentials, or an"
                + " authorization not generated for " + self + " and prefix " + subjects.prefix() + ")";
        if (violationsLogged.size() < 64 && violationsLogged.add(reason)) {
            LOG.log(Level.WARNING, "tether node " + self + ": " + reason + " (logged once; every refusal is reported)");
        }
        table.permissionViolation("nats server " + c.getConnectedUrl(), reason);
    }

    /** jnats gives up on a connection only on repeated authentication errors: keep trying, as on first connect. */
    private synchronized void restartAfterUnexpectedClose(Connection c) {
        if (state != State.STARTED || connection != c) return;
        connection = null;
        LOG.log(Level.WARNING, "tether node " + self + ": NATS closed the connection; connecting again");
        startConnector();
    }

    /** jnats problem reports: logged, never thrown; the connection events drive the state. */
    private final class Errors implements ErrorListener {
        @Override
        public void errorOccurred(Connection c, String error) {
            if (IdentityCheck.isPermissionViolation(error)) {
                permissionViolation(c, error);
            } else {
                LOG.log(Level.WARNING, "tether node " + self + ": NATS error: " + error);
            }
        }

        @Override
        public void exceptionOccurred(Connection c, Exception e) {
            LOG.log(Level.DEBUG, "tether node " + self + ": NATS connection problem: " + e);
        }

        @Override
        public void slowConsumerDetected(Connection c, Consumer consumer) {
            LOG.log(Level.WARNING, "tether node " + self + ": receiving too slowly, NATS dropped messages");
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "closing a NATS connection failed: " + e);
        }
    }

    /** Pushes the goodbye out before the socket closes; a detached connection just times out. */
    private static void flushQuietly(Connection c) {
        try {
            c.flush(Duration.ofMillis(500));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.log(Level.DEBUG, "flushing the goodbye failed: " + e);
        }
    }

    private static void joinQuietly(Thread t) {
        if (t == null || t == Thread.currentThread()) return;
        try {
            t.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
