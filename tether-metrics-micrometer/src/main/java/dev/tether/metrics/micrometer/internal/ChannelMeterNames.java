package dev.tether.metrics.micrometer.internal;

import dev.tether.ChannelStats;
import dev.tether.bus.EndpointStats;

/** Per channel (tag {@code channel}) and per endpoint (tag {@code endpoint}), for those within the series limits. */
final class ChannelMeterNames {
    private ChannelMeterNames() {}

    static MeterSet<SnapshotMeters> channel(MeterSet<SnapshotMeters> m, String c) {
        m.gauge(
                        "tether.channel.member",
                        "1 if this node joined the channel",
                        s -> s.channel(c, x -> x.role() == null ? 0 : 1))
                .gauge(
                        "tether.channel.endpoints",
                        "This node's endpoints that joined the channel",
                        s -> s.channel(c, x -> x.endpoints().size()))
                .gauge(
                        "tether.channel.readers",
                        "Nodes reading this node's log now",
                        s -> s.channel(c, ChannelStats::readers))
                .gauge(
                        "tether.channel.held",
                        "Messages this node's log holds now",
                        s -> s.channel(c, ChannelStats::held))
                .gauge(
                        "tether.channel.publishes.blocked",
                        "Publishers waiting for room in this node's log now",
                        s -> s.channel(c, ChannelStats::blockedPublishes))
                .counter(
                        "tether.channel.published",
                        "Messages stored in this node's log: publishes and copies",
                        s -> s.channel(c, ChannelStats::published))
                .counter(
                        "tether.channel.publishes.rejected",
                        "Publishes refused for want of room in the log",
                        s -> s.channel(c, ChannelStats::publishesRejected))
                .counter(
                        "tether.channel.publishes.rejected.by.log",
                        "Of those, refused by the log's own check when numbered",
                        s -> s.channel(c, ChannelStats::rejectedByLog))
                .counter(
                        "tether.channel.readers.missed",
                        "Messages retention deleted before a reader took them, once per reader",
                        s -> s.channel(c, ChannelStats::readersMissed))
                .counter(
                        "tether.channel.delivered",
                        "Messages of the channel this node received as a reader and delivered",
                        s -> s.channel(c, ChannelStats::delivered))
                .counter(
                        "tether.channel.missed",
                        "Messages of the channel this node missed as a reader",
                        s -> s.channel(c, ChannelStats::missed))
                .counter(
                        "tether.channel.endpoint.copies",
                        "Copies made for this node's joined endpoints",
                        s -> s.channel(c, ChannelStats::endpointCopies));
        return m;
    }

    static MeterSet<SnapshotMeters> endpoint(MeterSet<SnapshotMeters> m, String e) {
        m.counter(
                        "tether.endpoint.sent",
                        "Messages the endpoint sent that were taken for sending",
                        s -> s.endpoint(e, EndpointStats::sent))
                .counter(
                        "tether.endpoint.received",
                        "Messages handed to the endpoint's handler, every attempt",
                        s -> s.endpoint(e, EndpointStats::received))
                .counter(
                        "tether.endpoint.processed",
                        "Messages the endpoint's handler acknowledged",
                        s -> s.endpoint(e, EndpointStats::processed))
                .counter(
                        "tether.endpoint.failed",
                        "Attempts that failed (the handler threw or nacked)",
                        s -> s.endpoint(e, EndpointStats::failed))
                .counter(
                        "tether.endpoint.redeliveries",
                        "Messages handed to the endpoint flagged as redeliveries",
                        s -> s.endpoint(e, EndpointStats::redeliveries))
                .counter(
                        "tether.endpoint.refused",
                        "Messages that reached the endpoint after it was closed",
                        s -> s.endpoint(e, EndpointStats::refused));
        return m;
    }
}
