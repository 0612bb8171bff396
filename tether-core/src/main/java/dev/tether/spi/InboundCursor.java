package dev.tether.spi;

import dev.tether.NodeId;

/**
 * A receiver's persisted position in the stream ({@code from}, {@code lane}): every message up to
 * {@code processedSeq} sent by the incarnation {@code senderEpoch} has been taken care of. This single row
 * is all the deduplication state a stream needs.
 */
public record InboundCursor(NodeId from, String lane, long senderEpoch, long processedSeq) {}
