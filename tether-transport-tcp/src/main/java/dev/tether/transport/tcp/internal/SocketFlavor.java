package dev.tether.transport.tcp.internal;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.function.Supplier;

/**
 * Which socket implementation the transport runs on: Netty's native epoll where its library loads (Linux on
 * x86_64 or aarch64), else the JDK's NIO. Native epoll saves system calls and copies per read and write. Each
 * flavour has TCP and Unix domain socket channels; the listen address decides which ones a transport uses.
 */
enum SocketFlavor {
    EPOLL(
            EpollIoHandler::newFactory,
            EpollServerSocketChannel.class,
            EpollSocketChannel.class,
            EpollServerDomainSocketChannel.class,
            EpollDomainSocketChannel.class),
    NIO(
            NioIoHandler::newFactory,
            NioServerSocketChannel.class,
            NioSocketChannel.class,
            NioServerDomainSocketChannel.class,
            NioDomainSocketChannel.class);

    private final Supplier<IoHandlerFactory> handlers;
    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends Channel> socketChannel;
    private final Class<? extends ServerChannel> domainServerChannel;
    private final Class<? extends Channel> domainChannel;

    SocketFlavor(
            Supplier<IoHandlerFactory> handlers,
            Class<? extends ServerChannel> serverChannel,
            Class<? extends Channel> socketChannel,
            Class<? extends ServerChannel> domainServerChannel,
            Class<? extends Channel> domainChannel) {
        this.handlers = handlers;
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
        this.domainServerChannel = domainServerChannel;
        this.domainChannel = domainChannel;
    }

    IoHandlerFactory newHandlerFactory() {
        return handlers.get();
    }

    Class<? extends ServerChannel> serverChannel(boolean unix) {
        return unix ? domainServerChannel : serverChannel;
    }

    Class<? extends Channel> channel(boolean unix) {
        return unix ? domainChannel : socketChannel;
    }

    /** {@code address} as this flavour's channels take it: native epoll has its own domain socket address type. */
    SocketAddress nativeAddress(SocketAddress address) {
        if (this == EPOLL && address instanceof UnixDomainSocketAddress unix) {
            return new DomainSocketAddress(unix.getPath().toString());
        }
        return address;
    }

    /** Native epoll if {@code preferNative} and it is available here, else NIO. */
    static SocketFlavor choose(boolean preferNative) {
        return preferNative && Epoll.isAvailable() ? EPOLL : NIO;
    }
}
