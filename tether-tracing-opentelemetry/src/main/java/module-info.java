/**
 * Optional tracing for Tether nodes: {@code TetherTracing} carries the OpenTelemetry context in message headers
 * across sends and calls, and records spans for send, deliver and handle.
 */
module dev.tether.tracing.opentelemetry {
    requires transitive dev.tether.core;
    requires transitive io.opentelemetry.api;
    requires transitive io.opentelemetry.context;

    exports dev.tether.tracing.opentelemetry;
}
