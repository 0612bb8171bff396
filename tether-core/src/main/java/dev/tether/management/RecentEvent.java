package dev.tether.management;

import java.time.Instant;

/**
 * One of a node's recent events, for people: {@link NodeManagement#recentEvents()}.
 *
 * @param at when the node saw it
 * @param kind the event's type ({@code PeerConnected}, {@code Resync}, {@code ConnectionRejected}, ...)
 * @param text the event, in words
 */
public record RecentEvent(Instant at, String kind, String text) {}
