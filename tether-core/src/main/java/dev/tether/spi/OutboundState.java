package dev.tether.spi;

import dev.tether.NodeId;

/**
 * A stored outbound stream: the highest sequence number ever assigned ({@code lastSeq}) and the highest
 * one the receiver acknowledged ({@code ackedSeq}); the outbox holds exactly {@code ackedSeq+1..lastSeq}.
 */
public record OutboundState(NodeId to, String lane, long lastSeq, long ackedSeq) {}
