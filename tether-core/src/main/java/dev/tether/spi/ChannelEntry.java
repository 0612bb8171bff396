package dev.tether.spi;

/**
 * What retention needs to know of a message a channel log holds ({@link Store#readChannelIndex}): its sequence number,
 * its payload size in bytes and its publish time (the publisher's wall clock, epoch milliseconds), without the
 * message itself.
 */
public record ChannelEntry(long seq, long payloadBytes, long publishedAtMillis) {}
