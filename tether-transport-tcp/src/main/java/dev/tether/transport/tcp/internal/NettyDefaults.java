package dev.tether.transport.tcp.internal;

import java.util.Properties;

/**
 * The Netty system properties the transports set when the application has not, before Netty first reads them (the
 * transport builders apply them when they are loaded). Setting one of them on the command line, to any value, keeps
 * the application's value.
 *
 * <ul>
 *   <li>{@code io.netty.jfr.enabled=false}: Netty's buffer allocators emit JFR events, and on the JDK 17 the first
 *       use of an event class initializes the JDK's JFR metadata even when nothing records: most of a restarted
 *       node's first handshake in a cold JVM (0.3-1 s on a loaded 2-core machine, docs/BENCHMARKS.md). With it
 *       false, Netty never loads those classes. An application that records Netty's allocation events sets it to
 *       true.
 * </ul>
 *
 * <p>A JVM in which Netty's {@code PlatformDependent} was initialized before (another Netty user came first) keeps the
 * value it read then. Threading: thread-safe ({@link Properties} is synchronized).
 */
public final class NettyDefaults {
    /** Netty's switch for its JFR events, read once when its {@code PlatformDependent} class is initialized. */
    public static final String JFR_ENABLED = "io.netty.jfr.enabled";

    private NettyDefaults() {}

    /** Applies the defaults to the system properties. */
    public static void apply() {
        apply(System.getProperties());
    }

    /** Sets each default in {@code properties} that holds no value for it. */
    static void apply(Properties properties) {
        properties.putIfAbsent(JFR_ENABLED, "false");
    }
}
