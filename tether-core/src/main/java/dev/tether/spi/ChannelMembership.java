package dev.tether.spi;

import dev.tether.ChannelRole;

/** A channel this node joined, and in which role; stored so that a restarted node is still a member. */
public record ChannelMembership(String channel, ChannelRole role) {}
