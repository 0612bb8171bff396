package dev.tether.internal.runtime;

import dev.tether.NodeId;
import java.util.Map;

/**
 * A message a consumer sends because it settled an inbound one (a reply to a call), given with {@link
 * RoutedDelivery#ackWith}. {@code headers} may contain Tether's reserved {@code ':'} headers and {@code lane} may be
 * reserved: effects come from a pattern layer, not from the application.
 *
 * @param expiresAt deadline in epoch milliseconds, 0 for none
 */
public record Effect(NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt) {}
