package dev.tether.bus;

/**
 * The counters of one routing rule since it was added (kept across a replacement, an enabling and a disabling).
 *
 * @param name the rule's name
 * @param matched routing decisions the rule made: for a terminal rule, messages it took (a {@code drop} counts each
 *     message dropped); a message routed again after a failed attempt counts again
 * @param errors matches abandoned because a regular expression read more than 100,000 characters of a value (counted
 *     as not matching)
 */
public record RuleStats(String name, long matched, long errors) {}
