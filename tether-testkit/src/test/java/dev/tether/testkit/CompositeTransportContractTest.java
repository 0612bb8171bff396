package dev.tether.testkit;

/** The transport contract through a composite whose preferred member carries every peer. */
class CompositeTransportContractTest extends TransportContract {
    @Override
    protected Fixture newFixture() {
        return new CompositeFixture(0);
    }
}
