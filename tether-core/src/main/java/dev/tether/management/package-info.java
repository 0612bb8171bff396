/**
 * Managing a running node: topology, statistics, dead letters, the outbox and recent events ({@link
 * dev.tether.management.NodeManagement}), one model also served over HTTP and by the {@code tether} command.
 */
package dev.tether.management;
