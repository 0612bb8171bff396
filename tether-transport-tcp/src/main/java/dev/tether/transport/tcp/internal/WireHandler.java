package dev.tether.transport.tcp.internal;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
import dev.tether.spi.PeerProof;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * The per-connection protocol: preamble, handshake and framing (docs/TCP.md). It decodes what arrives,
 * enforcing every limit from the length prefix before a byte of the record is buffered for it, runs the
 * handshake, hands the connection to the {@link PeerRegistry} once the peer is authenticated and admitted,
 * and then reports each frame. Any violation closes the connection with a reason reported through {@link
 * PeerRegistry#rejected} (and, during the handshake, sent to the peer in a REJECT record).
 *
 * <p>Threading: one instance per channel, used only on the channel's I/O thread.
 */
public final class WireHandler extends ByteToMessageDecoder {
    private static final System.Logger LOG = System.getLogger(WireHandler.class.getName());

    /** What the handshake needs to know besides the registry. */
    public record Options(
            int maxFrameBytes,
            PskAuth psk,
            boolean tls,
            boolean mutualTls,
            long outboundLimitBytes,
            long handshakeTimeoutMillis,
            Supplier<byte[]> nonces,
            PeerCredentials peerCredentials,
            PendingHandshakes pendingHandshakes) {
        /** Options without a cap on accepted connections in the handshake. */
        public Options(
                int maxFrameBytes,
                PskAuth psk,
                boolean tls,
                boolean mutualTls,
                long outboundLimitBytes,
                long handshakeTimeoutMillis,
                Supplier<byte[]> nonces,
                PeerCredentials peerCredentials) {
            this(
                    maxFrameBytes,
                    psk,
                    tls,
                    mutualTls,
                    outboundLimitBytes,
                    handshakeTimeoutMillis,
                    nonces,
                    peerCredentials,
                    new PendingHandshakes(Integer.MAX_VALUE, Integer.MAX_VALUE));
        }
    }

    private enum Phase {
        PREAMBLE,
        HELLO,
        AUTH,
        VERDICT,
        CONFIRM,
        DATA,
        DONE
    }

    private final PeerRegistry registry;
    private final Options options;
    private final boolean dialer;
    private final NodeId expectedPeer;
    private final SocketAddress seed;
    private Connection conn;
    private Phase phase = Phase.PREAMBLE;
    private boolean helloSent;
    /** The frames decoded in this read, not handed to the listener yet ({@link #deliverRead}); null: none. */
    private List<ByteBuffer> read;

    private byte[] ownNonce;
    private Hello peerHello;
    private ScheduledFuture<?> handshakeTimer;
    /** Whether this accepted connection is counted in {@link Options#pendingHandshakes} (until DATA or close). */
    private boolean pendingCounted;
    /** The remote address it is counted under. */
    private SocketAddress pendingFrom;

    /**
     * A handler for a connection this node dialed ({@code dialed}) to reach {@code expectedPeer}, or the seed at
     * {@code seed} (then {@code expectedPeer} is null), or for a connection it accepted (both null).
     */
    public WireHandler(
            PeerRegistry registry, Options options, boolean dialed, NodeId expectedPeer, SocketAddress seed) {
        this.registry = registry;
        this.options = options;
        this.dialer = dialed;
        this.expectedPeer = expectedPeer;
        this.seed = seed;
    }

    // ---- lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        conn = new Connection(ctx.channel(), dialer, expectedPeer, seed);
        ctx.channel().closeFuture().addListener(f -> onClosed());
        pendingFrom = ctx.channel().remoteAddress();
        String capped = dialer ? null : options.pendingHandshakes().tryStart(pendingFrom);
        if (capped != null) {
            phase = Phase.DONE; // nothing is read or sent: the connection is closed before its handshake starts
            registry.rejected(conn, capped);
            ctx.close();
            return;
        }
        pendingCounted = !dialer;
        handshakeTimer = ctx.executor()
                .schedule(
                        () -> {
                            if (phase != Phase.DATA && phase != Phase.DONE) {
                                reject(
                                        ctx,
                                        "handshake not completed within " + options.handshakeTimeoutMillis() + " ms",
                                        true);
                            }
                        },
                        options.handshakeTimeoutMillis(),
                        TimeUnit.MILLISECONDS);
        if (ctx.channel().isActive() && !options.tls()) sendHello(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!options.tls() && phase != Phase.DONE) sendHello(ctx);
        super.channelActive(ctx);
    }

    private void onClosed() {
        handshakeEnded();
        if (handshakeTimer != null) handshakeTimer.cancel(false);
        phase = Phase.DONE;
        Outbound out = conn.outbound;
        if (out != null) out.close();
        registry.closed(conn);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent tls) {
            if (tls.isSuccess()) sendHello(ctx);
            else reject(ctx, "TLS handshake failed: " + describeTls(tls.cause()), false);
        } else if (event instanceof IdleStateEvent idle) {
            onIdle(ctx, idle);
        }
        super.userEventTriggered(ctx, event);
    }

    private void onIdle(ChannelHandlerContext ctx, IdleStateEvent idle) {
        if (phase != Phase.DATA) return;
        if (idle.state() == IdleState.WRITER_IDLE) {
            ctx.writeAndFlush(Wire.heartbeat(ctx.alloc()), ctx.voidPromise());
        } else if (idle.state() == IdleState.READER_IDLE) {
            LOG.log(Level.INFO, () -> registry.self() + ": closing " + conn + ": no frame or heartbeat received");
            phase = Phase.DONE;
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (phase == Phase.DONE) return;
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof SSLException) {
            reject(ctx, "TLS error: " + describe(root), false);
        } else if (root instanceof IOException) {
            LOG.log(Level.DEBUG, () -> registry.self() + ": " + conn + " failed: " + root);
            phase = Phase.DONE;
            ctx.close();
        } else {
            LOG.log(Level.ERROR, registry.self() + ": unexpected error on " + conn, cause);
            reject(ctx, "internal error: " + describe(root), false);
        }
    }

    /**
     * JSSE's wording for the usual cases names the symptom, not the cause: a client whose certificate no CA
     * we trust signed sends no certificate at all, which the server sees as an empty chain.
     */
    static String describeTls(Throwable t) {
        String m = describe(t);
        if (m.contains("Empty client certificate chain")) {
            return "the peer presented no certificate signed by a CA this node trusts (" + m + ")";
        }
        if (m.contains("PKIX path building failed") || m.contains("unable to find valid certification path")) {
            return "the peer's certificate is not signed by a CA this node trusts (" + m + ")";
        }
        return m;
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private void sendHello(ChannelHandlerContext ctx) {
        if (helloSent) return;
        helloSent = true;
        ownNonce = options.nonces().get();
        if (seed != null) registry.ownNonce(ownNonce); // recognises a seed address that is this node itself
        int flags = (dialer ? Wire.FLAG_DIALER : 0) | (options.psk() != null ? Wire.FLAG_PSK : 0);
        Hello hello = new Hello(
                flags, options.maxFrameBytes(), ownNonce, registry.self().value());
        // A listener rather than the void promise: a Unix domain socket whose peer already closed fails this write at
        // once (EPIPE), possibly while the pipeline is still being set up, where a fired exception is only logged.
        ctx.writeAndFlush(Wire.preambleAndHello(ctx.alloc(), hello))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    // ---- decoding

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (phase != Phase.DONE && in.isReadable() && step(ctx, in)) {
                // each step consumed one unit (preamble or record)
            }
        } catch (WireException e) {
            deliverRead(); // the whole frames before the violation, as if delivered one by one
            reject(ctx, e.getMessage(), phase != Phase.DATA);
        } finally {
            deliverRead();
        }
        if (phase == Phase.DONE) in.skipBytes(in.readableBytes());
    }

    /** Hands the listener the frames decoded since the last call, in one call (a read's frames of many streams). */
    private void deliverRead() {
        List<ByteBuffer> frames = read;
        if (frames == null) return;
        read = null;
        registry.deliver(conn, frames);
    }

    /** Consumes one preamble or record if it is complete; returns false if more bytes are needed. */
    private boolean step(ChannelHandlerContext ctx, ByteBuf in) {
        switch (phase) {
            case PREAMBLE:
                return preamble(in);
            case DATA:
                return dataRecord(in);
            default:
                return handshakeRecord(ctx, in);
        }
    }

    private boolean preamble(ByteBuf in) {
        int available = Math.min(4, in.readableBytes());
        for (int i = 0; i < available; i++) {
            int expected = (Wire.MAGIC >>> (24 - 8 * i)) & 0xff;
            if (in.getUnsignedByte(in.readerIndex() + i) != expected) {
                throw new WireException("wrong magic: expected 54544852 (\"TTHR\"), got "
                        + ByteBufUtil.hexDump(in, in.readerIndex(), available)
                        + " (not a Tether TCP transport, or TLS on one side only)");
            }
        }
        if (in.readableBytes() < Wire.PREAMBLE_BYTES) return false;
        int version = in.getUnsignedShort(in.readerIndex() + 4);
        if (version != Wire.VERSION) {
            throw new WireException(
                    "unsupported transport protocol version " + version + "; this node speaks version " + Wire.VERSION);
        }
        in.skipBytes(Wire.PREAMBLE_BYTES);
        phase = Phase.HELLO;
        return true;
    }

    private boolean dataRecord(ByteBuf in) {
        if (in.readableBytes() < Wire.LENGTH_BYTES) return false;
        int length = in.getInt(in.readerIndex());
        if (length == Wire.HEARTBEAT) {
            in.skipBytes(Wire.LENGTH_BYTES);
            return true;
        }
        if (length == Wire.CONTROL) return controlRecord(in);
        if (length < 0) throw new WireException("invalid frame length " + length);
        if (length > options.maxFrameBytes()) {
            throw new WireException("frame of " + length + " bytes announced, above the limit of "
                    + options.maxFrameBytes() + " bytes");
        }
        if (in.readableBytes() < Wire.LENGTH_BYTES + length) return false;
        in.skipBytes(Wire.LENGTH_BYTES);
        byte[] frame = new byte[length];
        in.readBytes(frame);
        if (read == null) read = new ArrayList<>();
        read.add(ByteBuffer.wrap(frame));
        return true;
    }

    /** A control record: its body length is checked before a byte of the body is buffered. */
    private boolean controlRecord(ByteBuf in) {
        if (in.readableBytes() < 2 * Wire.LENGTH_BYTES) return false;
        int length = in.getInt(in.readerIndex() + Wire.LENGTH_BYTES);
        if (length < 1 || length > Wire.MAX_CONTROL_BYTES) {
            throw new WireException(
                    "control record of " + length + " bytes announced; expected 1 to " + Wire.MAX_CONTROL_BYTES);
        }
        if (in.readableBytes() < 2 * Wire.LENGTH_BYTES + length) return false;
        in.skipBytes(2 * Wire.LENGTH_BYTES);
        int type = in.readUnsignedByte();
        byte[] body = new byte[length - 1];
        in.readBytes(body);
        deliverRead(); // the frames before it first, as they arrived
        registry.control(conn, type, body);
        return true;
    }

    private boolean handshakeRecord(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < Wire.LENGTH_BYTES) return false;
        int length = in.getInt(in.readerIndex());
        if (length == Wire.CONTROL) {
            throw new WireException("a control record (member list) before the handshake completed: membership"
                    + " messages are accepted only from authenticated, admitted peers");
        }
        if (length < 1 || length > Wire.MAX_HANDSHAKE_RECORD) {
            throw new WireException(
                    "handshake record of " + length + " bytes announced; expected 1 to " + Wire.MAX_HANDSHAKE_RECORD);
        }
        if (in.readableBytes() < Wire.LENGTH_BYTES + length) return false;
        in.skipBytes(Wire.LENGTH_BYTES);
        int type = in.readUnsignedByte();
        byte[] body = new byte[length - 1];
        in.readBytes(body);
        if (type == Wire.REJECT) {
            // whatever step this end waits in, a REJECT says why the peer gave up: report that, not the step
            onReject(ctx, body);
            return true;
        }
        switch (phase) {
            case HELLO -> onHello(ctx, type, body);
            case AUTH -> onAuth(ctx, type, body);
            case VERDICT -> onVerdict(ctx, type, body);
            case CONFIRM -> onConfirm(ctx, type, body);
            default -> throw new IllegalStateException("handshake record in phase " + phase);
        }
        return true;
    }

    // ---- handshake

    private void onHello(ChannelHandlerContext ctx, int type, byte[] body) {
        expectType(type, Wire.HELLO, "HELLO");
        if (!helloSent) throw new WireException("HELLO received before the TLS handshake completed");
        if (options.peerCredentials() != null) {
            String refusal = options.peerCredentials().refusal(ctx.channel());
            if (refusal != null) throw new WireException(refusal);
        }
        Hello hello = Hello.decode(body);
        if (hello.dialer() == dialer) {
            throw new WireException(dialer ? "both ends claim to have dialed" : "both ends claim to have accepted");
        }
        if (!dialer && registry.isOwnNonce(hello.nonce())) {
            quietClose(ctx, "a seed address is this node's own");
            return;
        }
        NodeId id = parseId(hello.nodeId());
        if (id.equals(registry.self()) && seed != null) {
            registry.seedIsSelf(conn);
            quietClose(ctx, "seed " + seed + " is this node itself");
            return;
        }
        if (id.equals(registry.self())) throw new WireException("the peer claims this node's own id " + id);
        if (dialer && expectedPeer != null && !id.equals(expectedPeer)) {
            throw new WireException("dialed " + expectedPeer + " but the node there says it is " + id);
        }
        if ((options.psk() != null) != hello.psk()) {
            throw new WireException(
                    hello.psk()
                            ? "the peer uses a pre-shared key but this node has none"
                            : "this node requires a pre-shared key but the peer has none");
        }
        if (options.tls() && (dialer || options.mutualTls())) {
            PeerCertificate.checkProves(ctx.pipeline().get(SslHandler.class), id);
        }
        conn.peer = id;
        conn.peerMaxFrameBytes = hello.maxFrameBytes();
        peerHello = hello;
        if (options.psk() != null) {
            int role = dialer ? PskAuth.DIALER : PskAuth.ACCEPTOR;
            ctx.writeAndFlush(Wire.auth(ctx.alloc(), proof(role)), ctx.voidPromise());
            phase = Phase.AUTH;
        } else {
            authenticated(ctx);
        }
    }

    private static NodeId parseId(String claimed) {
        try {
            return NodeId.of(claimed);
        } catch (InvalidIdException e) {
            throw new WireException("the peer sent an " + e.getMessage());
        }
    }

    private byte[] proof(int role) {
        byte[] dialerNonce = dialer ? ownNonce : peerHello.nonce();
        byte[] acceptorNonce = dialer ? peerHello.nonce() : ownNonce;
        String dialerId = dialer ? registry.self().value() : conn.peer.value();
        String acceptorId = dialer ? conn.peer.value() : registry.self().value();
        return options.psk().proof(role, dialerNonce, acceptorNonce, dialerId, acceptorId);
    }

    private void onAuth(ChannelHandlerContext ctx, int type, byte[] body) {
        expectType(type, Wire.AUTH, "AUTH");
        byte[] expected = proof(dialer ? PskAuth.ACCEPTOR : PskAuth.DIALER);
        if (body.length != Wire.MAC_BYTES || !PskAuth.matches(expected, body)) {
            // Each end finds the other's proof wrong; neither can tell whose key is the intended one.
            throw new WireException("pre-shared key proof from " + conn.peer + " does not match this node's key:"
                    + " the keys differ (configure the same cluster key on both nodes)");
        }
        authenticated(ctx);
    }

    /** What this end established about the peer's id (Transport rule 10). */
    private PeerProof proof() {
        if (options.tls() && (dialer || options.mutualTls())) return PeerProof.IDENTITY;
        // an allowed user's processes could read the pre-shared key file too: both prove membership, not identity
        if (options.psk() != null || options.peerCredentials() != null) return PeerProof.MEMBERSHIP;
        return PeerProof.NONE;
    }

    private void authenticated(ChannelHandlerContext ctx) {
        String notAdmitted = registry.admit(conn.peer, proof());
        if (notAdmitted != null) {
            if (dialer) registry.refusedOwnDial(conn);
            reject(ctx, notAdmitted, Wire.REJECT_NOT_ADMITTED);
            return;
        }
        conn.outbound = new Outbound(ctx.channel(), conn.peerMaxFrameBytes, options.outboundLimitBytes());
        if (dialer) {
            phase = Phase.VERDICT;
            return;
        }
        String refusal = registry.admitInbound(conn);
        if (refusal != null) {
            LOG.log(Level.DEBUG, () -> registry.self() + ": refusing " + conn + ": " + refusal);
            closeWithRecord(ctx, Wire.REJECT_DUPLICATE, refusal);
            return;
        }
        phase = Phase.CONFIRM;
        ctx.writeAndFlush(Wire.accept(ctx.alloc()), ctx.voidPromise());
    }

    private void onConfirm(ChannelHandlerContext ctx, int type, byte[] body) {
        expectType(type, Wire.CONFIRM, "CONFIRM");
        if (body.length != 0) throw new WireException("malformed CONFIRM: " + body.length + " extra bytes");
        handshakeEnded();
        if (registry.confirmInbound(conn)) {
            phase = Phase.DATA;
        } else {
            LOG.log(Level.DEBUG, () -> registry.self() + ": " + conn + " superseded before it was confirmed");
            phase = Phase.DONE;
            ctx.close();
        }
    }

    /** An accepted connection's handshake ended (completed, or the connection closed): it no longer counts. */
    private void handshakeEnded() {
        if (!pendingCounted) return;
        pendingCounted = false;
        options.pendingHandshakes().end(pendingFrom);
    }

    private void onVerdict(ChannelHandlerContext ctx, int type, byte[] body) {
        if (type == Wire.ACCEPT) {
            if (body.length != 0) throw new WireException("malformed ACCEPT: " + body.length + " extra bytes");
            if (registry.admitDialed(conn)) {
                phase = Phase.DATA;
                // written in this task, so before any batch queued by the up just reported
                ctx.writeAndFlush(Wire.confirm(ctx.alloc()), ctx.voidPromise());
            } else {
                phase = Phase.DONE;
                ctx.close();
            }
        } else {
            throw new WireException("expected ACCEPT or REJECT, got record type " + type);
        }
    }

    /** The peer refused this connection and said why (REJECT); a lost tie-break is no rejection. */
    private void onReject(ChannelHandlerContext ctx, byte[] body) {
        if (body.length < 1) throw new WireException("malformed REJECT: no code");
        String reason = printable(new String(body, 1, body.length - 1, StandardCharsets.UTF_8));
        if (body[0] == Wire.REJECT_DUPLICATE) {
            quietClose(ctx, "refused as duplicate: " + reason);
        } else {
            reject(ctx, "refused by the peer: " + reason, false);
        }
    }

    /** The peer's text without control characters, so a REJECT cannot forge log lines. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    private void quietClose(ChannelHandlerContext ctx, String why) {
        LOG.log(Level.DEBUG, () -> registry.self() + ": closing " + conn + ": " + why);
        phase = Phase.DONE;
        ctx.close();
    }

    private static void expectType(int type, int expected, String name) {
        if (type != expected) throw new WireException("expected " + name + ", got record type " + type);
    }

    // ---- closing

    /** Reports {@code reason}, tells the peer why in a REJECT record of {@code code}, and closes. */
    private void reject(ChannelHandlerContext ctx, String reason, int code) {
        if (phase == Phase.DONE) return;
        phase = Phase.DONE;
        registry.rejected(conn, reason);
        if (helloSent && ctx.channel().isActive()) {
            ctx.writeAndFlush(Wire.reject(ctx.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    /** Reports {@code reason} and closes; during the handshake the peer is told why in a REJECT record. */
    private void reject(ChannelHandlerContext ctx, String reason, boolean tellPeer) {
        if (phase == Phase.DONE) return;
        // after ACCEPT the dialer may already read data records: a REJECT would look like a frame to it
        boolean peerReadsHandshake = phase != Phase.DATA && phase != Phase.CONFIRM;
        phase = Phase.DONE;
        registry.rejected(conn, reason);
        if (tellPeer && peerReadsHandshake && helloSent && ctx.channel().isActive()) {
            ctx.writeAndFlush(Wire.reject(ctx.alloc(), Wire.REJECT_ERROR, reason))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private void closeWithRecord(ChannelHandlerContext ctx, int code, String reason) {
        phase = Phase.DONE;
        ctx.writeAndFlush(Wire.reject(ctx.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
    }
}
