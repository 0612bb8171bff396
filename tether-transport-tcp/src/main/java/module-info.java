/** The TCP transport (Netty): {@code dev.tether.transport.tcp}; its wire handling stays internal. */
module dev.tether.transport.tcp {
    requires transitive dev.tether.core;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.handler;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires java.naming;

    exports dev.tether.transport.tcp;
}
