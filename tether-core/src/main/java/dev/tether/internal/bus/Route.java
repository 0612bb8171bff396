package dev.tether.internal.bus;

import java.util.List;

/**
 * The routing decision for one message (docs/BUS-DESIGN.md, section 2.3): the copies of the matching {@code copy}
 * rules above the first matching terminal rule (each destination once), and that terminal rule, if any; made with
 * one rule set, whose {@code version} it names. Immutable.
 *
 * @param copies the {@code copy} rules that matched, in evaluation order, one per destination
 * @param terminal the first terminal rule that matched, or null: the message goes where it was addressed
 * @param version the version of the rule set that decided
 */
record Route(List<CompiledRule> copies, CompiledRule terminal, long version) {}
