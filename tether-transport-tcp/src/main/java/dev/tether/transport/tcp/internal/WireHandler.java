package dev.tether.transport.tcp.internal;

import dev.tether.InvalidIdException;
import dev.tether.NodeId;
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
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

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
            Supplier<byte[]> nonces) {}

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
    private Connection conn;
    private Phase phase = Phase.PREAMBLE;
    private boolean helloSent;
    private byte[] ownNonce;
    private Hello peerHello;
    private ScheduledFuture<?> handshakeTimer;

    /** A handler for a connection this node dialed to reach {@code expectedPeer}, or accepted if it is null. */
    public WireHandler(PeerRegistry registry, Options options, NodeId expectedPeer) {
        this.registry = registry;
        this.options = options;
        this.dialer = expectedPeer != null;
        this.expectedPeer = expectedPeer;
    }

    // ---- lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        conn = new Connection(ctx.channel(), dialer, expectedPeer);
        ctx.channel().closeFuture().addListener(f -> onClosed());
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
        if (!options.tls()) sendHello(ctx);
        super.channelActive(ctx);
    }

    private void onClosed() {
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
            else reject(ctx, "TLS handshake failed: " + describe(tls.cause()), false);
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

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private void sendHello(ChannelHandlerContext ctx) {
        if (helloSent) return;
        helloSent = true;
        ownNonce = options.nonces().get();
        int flags = (dialer ? Wire.FLAG_DIALER : 0) | (options.psk() != null ? Wire.FLAG_PSK : 0);
        Hello hello = new Hello(
                flags, options.maxFrameBytes(), ownNonce, registry.self().value());
        ctx.writeAndFlush(Wire.preambleAndHello(ctx.alloc(), hello), ctx.voidPromise());
    }

    // ---- decoding

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (phase != Phase.DONE && in.isReadable() && step(ctx, in)) {
                // each step consumed one unit (preamble or record)
            }
        } catch (WireException e) {
            reject(ctx, e.getMessage(), phase != Phase.DATA);
        }
        if (phase == Phase.DONE) in.skipBytes(in.readableBytes());
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
        if (length < 0) throw new WireException("invalid frame length " + length);
        if (length > options.maxFrameBytes()) {
            throw new WireException("frame of " + length + " bytes announced, above the limit of "
                    + options.maxFrameBytes() + " bytes");
        }
        if (in.readableBytes() < Wire.LENGTH_BYTES + length) return false;
        in.skipBytes(Wire.LENGTH_BYTES);
        byte[] frame = new byte[length];
        in.readBytes(frame);
        registry.deliver(conn, ByteBuffer.wrap(frame));
        return true;
    }

    private boolean handshakeRecord(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < Wire.LENGTH_BYTES) return false;
        int length = in.getInt(in.readerIndex());
        if (length < 1 || length > Wire.MAX_HANDSHAKE_RECORD) {
            throw new WireException(
                    "handshake record of " + length + " bytes announced; expected 1 to " + Wire.MAX_HANDSHAKE_RECORD);
        }
        if (in.readableBytes() < Wire.LENGTH_BYTES + length) return false;
        in.skipBytes(Wire.LENGTH_BYTES);
        int type = in.readUnsignedByte();
        byte[] body = new byte[length - 1];
        in.readBytes(body);
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
        Hello hello = Hello.decode(body);
        if (hello.dialer() == dialer) {
            throw new WireException(dialer ? "both ends claim to have dialed" : "both ends claim to have accepted");
        }
        NodeId id = parseId(hello.nodeId());
        if (id.equals(registry.self())) throw new WireException("the peer claims this node's own id " + id);
        if (dialer && !id.equals(expectedPeer)) {
            throw new WireException("dialed " + expectedPeer + " but the node there says it is " + id);
        }
        if ((options.psk() != null) != hello.psk()) {
            throw new WireException(
                    hello.psk()
                            ? "the peer uses a pre-shared key but this node has none"
                            : "this node requires a pre-shared key but the peer has none");
        }
        if (options.tls() && (dialer || options.mutualTls())) checkCertificateProves(ctx, id);
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

    private void checkCertificateProves(ChannelHandlerContext ctx, NodeId id) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        Certificate[] chain;
        try {
            chain = ssl == null ? null : ssl.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            chain = null;
        }
        if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            throw new WireException("the peer claims id " + id + " but presented no certificate");
        }
        List<String> proven = CertificateIdentity.provenIds(leaf);
        if (!proven.contains(id.value())) {
            throw new WireException("the peer claims id " + id + " but its certificate ("
                    + leaf.getSubjectX500Principal().getName() + ") proves " + proven);
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
            throw new WireException("pre-shared key proof from " + conn.peer + " is wrong: it does not know the key");
        }
        authenticated(ctx);
    }

    private void authenticated(ChannelHandlerContext ctx) {
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
        if (registry.confirmInbound(conn)) {
            phase = Phase.DATA;
        } else {
            LOG.log(Level.DEBUG, () -> registry.self() + ": " + conn + " superseded before it was confirmed");
            phase = Phase.DONE;
            ctx.close();
        }
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
        } else if (type == Wire.REJECT) {
            if (body.length < 1) throw new WireException("malformed REJECT: no code");
            String reason = new String(body, 1, body.length - 1, java.nio.charset.StandardCharsets.UTF_8);
            if (body[0] == Wire.REJECT_DUPLICATE) {
                LOG.log(Level.DEBUG, () -> registry.self() + ": " + conn + " refused as duplicate: " + reason);
                phase = Phase.DONE;
                ctx.close();
            } else {
                reject(ctx, "refused by the peer: " + reason, false);
            }
        } else {
            throw new WireException("expected ACCEPT or REJECT, got record type " + type);
        }
    }

    private static void expectType(int type, int expected, String name) {
        if (type != expected) throw new WireException("expected " + name + ", got record type " + type);
    }

    // ---- closing

    /** Reports {@code reason} and closes; during the handshake the peer is told why in a REJECT record. */
    private void reject(ChannelHandlerContext ctx, String reason, boolean tellPeer) {
        if (phase == Phase.DONE) return;
        boolean handshaking = phase != Phase.DATA;
        phase = Phase.DONE;
        registry.rejected(conn, reason);
        if (tellPeer && handshaking && helloSent && ctx.channel().isActive()) {
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
