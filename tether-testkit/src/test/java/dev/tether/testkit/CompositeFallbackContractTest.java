package dev.tether.testkit;

/** The transport contract through a composite whose preferred member never links: its fallback carries every peer. */
class CompositeFallbackContractTest extends TransportContract {
    @Override
    protected Fixture newFixture() {
        return new CompositeFixture(1);
    }
}
