/**
 * What tests of Tether and of its plug-ins share: the SPI contract suites, {@code Await}, a manual clock, the
 * deterministic simulator and history checker, child JVMs and history logs, a connection-cutting TCP proxy.
 * {@code StoreDamage} (damaging SQLite files) reads their schema through JDBC. Test scope only. The contract suites' packages are open so JUnit can run their inherited test methods.
 */
module dev.tether.testkit {
    requires transitive dev.tether.core;
    requires transitive dev.tether.fixtures;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    requires java.sql;

    exports dev.tether.testkit;
    exports dev.tether.testkit.net;
    exports dev.tether.testkit.process;
    exports dev.tether.testkit.sim;

    opens dev.tether.testkit;

    uses dev.tether.spi.Compressor; // CompressorContract: found by ServiceLoader
}
