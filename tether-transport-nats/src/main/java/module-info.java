/** The NATS transport (jnats): {@code dev.tether.transport.nats}; links, envelopes and subjects stay internal. */
@SuppressWarnings("requires-automatic") // jnats has no module descriptor; its Automatic-Module-Name is stable
module dev.tether.transport.nats {
    requires transitive dev.tether.core;
    requires io.nats.jnats;

    exports dev.tether.transport.nats;
}
