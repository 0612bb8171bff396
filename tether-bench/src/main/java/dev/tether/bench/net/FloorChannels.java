package dev.tether.bench.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The I/O threads of {@link HandOffFloor}: one Netty event loop per process, on the socket implementation Tether's TCP
 * transport picks (native epoll where it loads, else NIO), so a hand-off to it costs what it costs Tether (a task, and
 * an {@code eventfd} write only if the loop sleeps). Each complete frame of {@link NetworkBench#PAYLOAD} bytes calls
 * the frame callback on the loop's thread; {@link #post} hands a frame's write to the loop from another thread.
 */
final class FloorChannels implements AutoCloseable {
    private static final boolean EPOLL = Epoll.isAvailable();

    private final EventLoopGroup group;
    private final ByteBuf frame = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(NetworkBench.PAYLOAD).writeZero(NetworkBench.PAYLOAD));
    private final CountDownLatch connected = new CountDownLatch(1);
    private Channel server;
    private volatile Channel channel;

    FloorChannels(String name) {
        IoHandlerFactory handlers = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true), handlers);
    }

    /** Listens on a loopback port for one peer; returns the port. */
    int listen(Runnable onFrame) throws InterruptedException {
        Class<? extends ServerChannel> type = EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        server = new ServerBootstrap()
                .group(group)
                .channel(type)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new Frames(onFrame))
                .bind(InetAddress.getLoopbackAddress(), 0)
                .sync()
                .channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connects to the peer listening on loopback {@code port}. */
    void connect(int port, Runnable onFrame) throws InterruptedException {
        channel = new Bootstrap()
                .group(group)
                .channel(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new Frames(onFrame))
                .connect(InetAddress.getLoopbackAddress(), port)
                .sync()
                .channel();
    }

    /** Any thread: a task on the I/O thread that writes one frame to the peer (the turn that makes it, in Tether). */
    void post() {
        Channel c = channel;
        c.eventLoop().execute(() -> c.writeAndFlush(frame.duplicate()));
    }

    /** On the I/O thread: writes one frame to the peer at once (a handler on the node thread, in Tether). */
    void write() {
        channel.writeAndFlush(frame.duplicate());
    }

    /** Completes when the peer's connection closes. */
    void awaitPeerClosed() throws InterruptedException {
        connected.await();
        channel.closeFuture().sync();
    }

    @Override
    public void close() {
        if (channel != null) channel.close().syncUninterruptibly();
        if (server != null) server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Counts bytes read and calls back once per complete frame; remembers an accepted peer's channel. */
    private final class Frames extends ChannelInboundHandlerAdapter {
        private final Runnable onFrame;
        private long bytes;

        Frames(Runnable onFrame) {
            this.onFrame = onFrame;
        }

        @Override
        public boolean isSharable() {
            return false;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            connected.countDown();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            bytes += b.readableBytes();
            b.release();
            for (; bytes >= NetworkBench.PAYLOAD; bytes -= NetworkBench.PAYLOAD) onFrame.run();
        }
    }
}
