/**
 * Tether's core: the public API ({@code dev.tether}, and the entry point {@code dev.tether.node}), the SPIs
 * ({@code dev.tether.spi}), the in-memory and composite transports, the in-memory store, a static member list ({@code dev.tether.discovery}), and, not exported, the protocol engine and the
 * threaded runtime ({@code dev.tether.internal.*}). The engine is exported only to the testkit, whose
 * deterministic simulator steps it directly, and so are the runtime, whose test-only crash hook the testkit's
 * {@code NodeCrash} calls, and the composition of runtime and call layer ({@code internal.node}) it reaches it
 * through. The call layer ({@code internal.call}) is not exported.
 */
@SuppressWarnings("module") // the testkit is built after this module
module dev.tether.core {
    exports dev.tether;
    exports dev.tether.node;
    exports dev.tether.bus;
    exports dev.tether.discovery;
    exports dev.tether.management;
    exports dev.tether.spi;
    exports dev.tether.store.memory;
    exports dev.tether.transport;
    exports dev.tether.transport.memory;
    exports dev.tether.internal.engine to
            dev.tether.testkit;
    exports dev.tether.internal.runtime to
            dev.tether.testkit; // NodeCrash: crash a node in-process
    exports dev.tether.internal.node to
            dev.tether.testkit; // NodeCrash reaches the runtime through the composed node

    uses dev.tether.spi.StoreProvider;
    uses dev.tether.spi.Codec;
    uses dev.tether.spi.Compressor;
}
