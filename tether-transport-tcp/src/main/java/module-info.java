/**
 * The TCP transport ({@code dev.tether.transport.tcp}) and the Unix domain socket transport ({@code
 * dev.tether.transport.uds}), both on Netty and one wire protocol; its handling stays internal.
 */
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
    requires jdk.net;
    requires jdk.security.auth;

    exports dev.tether.transport.tcp;
    exports dev.tether.transport.uds;
}
