package dev.tether.bus;

/**
 * Counters of one endpoint since it was registered (a snapshot; each counter is exact, the set is not read
 * atomically).
 *
 * @param sent messages this endpoint sent that were taken for sending (not refused at once)
 * @param received messages handed to its handler (every attempt)
 * @param processed messages its handler acknowledged
 * @param failed attempts that failed (the handler threw or nacked), each retried or dead-lettered per the node's
 *     policies
 * @param redeliveries messages handed to it flagged as redeliveries
 * @param refused messages that reached it after it was closed, settled as {@code NO_SUCH_ENDPOINT}
 */
public record EndpointStats(long sent, long received, long processed, long failed, long redeliveries, long refused) {}
