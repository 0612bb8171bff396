/**
 * Endpoints: many addressable agents in one node, reached with {@code Tether.bus(node)} (docs/MESSAGING.md,
 * "Endpoints"; the design in docs/BUS-DESIGN.md, section 1).
 */
package dev.tether.bus;
