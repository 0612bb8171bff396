package dev.tether.management;

/**
 * What a purge of the outbox dropped.
 *
 * @param streams streams that had messages dropped
 * @param messages messages dropped
 */
public record PurgeResult(int streams, long messages) {}
