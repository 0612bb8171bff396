/**
 * Optional metrics for Tether nodes: {@code TetherMetrics} exposes a node's statistics, peers, channels, endpoints and
 * store commits as Micrometer meters with bounded tags; {@code PrometheusEndpoint} serves a scrape in the Prometheus text
 * format over HTTP.
 */
module dev.tether.metrics.micrometer {
    requires transitive dev.tether.core;
    requires transitive micrometer.core;
    requires jdk.httpserver;

    exports dev.tether.metrics.micrometer;
}
