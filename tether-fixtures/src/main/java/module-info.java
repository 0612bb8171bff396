/** Test doubles that also ship in tools: a fault-injecting transport, a forwarding store, nats-server processes. */
module dev.tether.fixtures {
    requires transitive dev.tether.core;
    requires java.net.http;

    exports dev.tether.fixtures;
}
