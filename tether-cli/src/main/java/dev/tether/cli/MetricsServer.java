package dev.tether.cli;

import dev.tether.NodeId;
import dev.tether.TetherNode;
import dev.tether.metrics.micrometer.PrometheusEndpoint;
import dev.tether.metrics.micrometer.TetherMetrics;
import dev.tether.node.TetherConfig;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code tether node --metrics HOST:PORT}: the node's meters and the JVM's (memory, threads, CPU) in the Prometheus
 * text format on {@code http://HOST:PORT/metrics}. Bound before the store is created, like the admin endpoint, so a
 * start that fails on the address leaves nothing behind.
 */
final class MetricsServer implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final PrometheusEndpoint endpoint;
    private final TetherMetrics metrics;

    private MetricsServer(PrometheusMeterRegistry registry, PrometheusEndpoint endpoint, TetherMetrics metrics) {
        this.registry = registry;
        this.endpoint = endpoint;
        this.metrics = metrics;
    }

    /**
     * @throws IllegalArgumentException naming the option and address if its host is unknown (a bad value: exit 2)
     * @throws java.net.BindException naming them if it cannot be bound, as when in use (exit 1, as for --admin)
     */
    static MetricsServer bind(InetSocketAddress requested, NodeId node) throws java.net.BindException {
        InetSocketAddress address = resolved(requested);
        // Slow clients are the endpoint's business: it cuts off a request head late by 5 s (PrometheusEndpoint).
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusEndpoint endpoint;
        try {
            endpoint = PrometheusEndpoint.start(address, registry::scrape);
        } catch (UncheckedIOException e) {
            registry.close();
            java.net.BindException b = new java.net.BindException("--metrics " + HostPort.format(address) + ": "
                    + e.getCause().getMessage());
            b.initCause(e.getCause());
            throw b;
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        return new MetricsServer(
                registry, endpoint, TetherMetrics.builder(node, registry).build());
    }

    private static InetSocketAddress resolved(InetSocketAddress requested) {
        try {
            return new InetSocketAddress(InetAddress.getByName(requested.getHostString()), requested.getPort());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "--metrics " + HostPort.format(requested) + ": unknown host " + requested.getHostString());
        }
    }

    /** Adds the commit observer to the node's configuration. */
    void configure(TetherConfig.Builder b) {
        b.commitObserver(metrics.commitObserver());
    }

    /** Starts reading the node's figures. */
    void watch(TetherNode node) {
        metrics.watch(node);
    }

    InetSocketAddress address() {
        return endpoint.address();
    }

    @Override
    public void close() {
        endpoint.close();
        metrics.close();
        registry.close();
    }
}
