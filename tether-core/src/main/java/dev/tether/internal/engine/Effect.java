package dev.tether.internal.engine;

import dev.tether.NodeId;
import java.util.Map;

/**
 * A message this node sends because its application settled an inbound one (a reply to a call): given with the
 * acknowledgment ({@link Engine#onProgress(long, StreamKey, long, long, java.util.List)} and the other settling
 * inputs), it is appended to its outbound stream in the same store batch as the cursor that records the inbound
 * message as processed, so after any crash either both are stored or neither (settle-with-effects). It has no
 * receipt: {@link EngineOutput#accepted} and {@link EngineOutput#rejected} are never called for it. {@code
 * headers} may contain reserved names and {@code lane} may be reserved: effects come from a pattern layer.
 *
 * @param expiresAt deadline in epoch milliseconds, 0 for none
 */
public record Effect(NodeId to, String lane, Map<String, String> headers, byte[] payload, long expiresAt) {}
